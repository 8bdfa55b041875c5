// PIN length through the API (docs/security.md "Voicemail PINs"): a PIN shorter than
// voicemail.minPinLength is refused on create and on PATCH by the admin and by the user, with a
// message naming the rule; a longer one is stored hashed; the minimum follows the config.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestServer } from "../../../test/support/http-app.ts";
import { ADMIN_TOKEN, startTestServer } from "../../../test/support/http-app.ts";
import { verifySecret } from "../../store/secrets.ts";

type Json = Record<string, unknown>;

describe("PIN length on the users resource", () => {
  let t: TestServer;
  let alice: string;

  before(async () => {
    t = await startTestServer({ config: { smtp: { domains: ["example.com"] } } });
    alice = await t.userWithToken("alice", "alice-password");
  });
  after(() => t.close());

  it("refuses a 4-digit PIN by default, naming voicemail.minPinLength", async () => {
    const created = await t.call("POST", "/api/v1/users", {
      token: ADMIN_TOKEN,
      body: { id: "dave", pin: "1234" },
    });
    assert.equal(created.status, 400);
    const err = (await created.json()) as Json;
    assert.equal(err.error, "OMNIVOX_ERR_VALIDATION");
    assert.match(String(err.message), /pin: must be at least 6 digits \(voicemail\.minPinLength\)/);
    assert.equal(await t.store.users.get("dave"), undefined, "nothing was created");

    for (const token of [ADMIN_TOKEN, alice]) {
      const patched = await t.call("PATCH", "/api/v1/users/alice", {
        token,
        body: { pin: "12345" },
      });
      assert.equal(patched.status, 400);
      assert.match(String(((await patched.json()) as Json).message), /at least 6 digits/);
    }
    assert.equal((await t.store.users.get("alice"))?.secrets.pinHash, undefined);
  });

  it("stores a 6-digit PIN hashed (scrypt, salted)", async () => {
    const res = await t.call("PATCH", "/api/v1/users/alice", {
      token: alice,
      body: { pin: "246810" },
    });
    assert.equal(res.status, 200);
    const hash = (await t.store.users.get("alice"))?.secrets.pinHash ?? "";
    assert.ok(hash?.startsWith("scrypt$"));
    assert.ok(!hash.includes("246810"));
    assert.equal(await verifySecret("246810", hash), true);
    assert.equal(await verifySecret("246811", hash), false);
  });

  it("follows voicemail.minPinLength", async () => {
    const lax = await startTestServer({ config: { voicemail: { minPinLength: 4 } } });
    try {
      const res = await lax.call("POST", "/api/v1/users", {
        token: ADMIN_TOKEN,
        body: { id: "erin", pin: "1234" },
      });
      assert.equal(res.status, 201);
    } finally {
      await lax.close();
    }
  });
});

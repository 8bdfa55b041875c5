// A profile's own voicemail retention (README "Retention and erasure"): fewer days than the
// configuration's are kept and read back; more, zero, fractions, text and unknown keys get a 400
// naming the field, and a refused creation stores nothing. Without a configured limit any
// whole number of days is a profile's to choose.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestServer } from "../../../test/support/http-app.ts";
import { ADMIN_TOKEN, startTestServer } from "../../../test/support/http-app.ts";

type Json = Record<string, unknown>;

describe("voicemail.retentionDays in the profile, under a 30-day configuration", () => {
  let t: TestServer;
  let alice: string;

  before(async () => {
    t = await startTestServer({ config: { voicemail: { retentionDays: 30 } } });
    alice = await t.userWithToken("alice");
  });
  after(() => t.close());

  it("takes fewer days from the user and reads them back", async () => {
    const res = await t.call("PATCH", "/api/v1/users/alice", {
      token: alice,
      body: { voicemail: { retentionDays: 7 } },
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(((await res.json()) as Json).voicemail, { retentionDays: 7 });
    const got = (await (
      await t.call("GET", "/api/v1/users/alice", { token: alice })
    ).json()) as Json;
    assert.deepEqual(got.voicemail, { retentionDays: 7 });
    assert.deepEqual((await t.store.users.get("alice"))?.profile.voicemail, { retentionDays: 7 });
    // As many days as the configuration is no longer period, so allowed too.
    const same = await t.call("PATCH", "/api/v1/users/alice", {
      token: alice,
      body: { voicemail: { retentionDays: 30 } },
    });
    assert.equal(same.status, 200);
  });

  for (const [what, value, reason] of [
    ["more days than the configuration", { retentionDays: 31 }, /at most 30 days/],
    ["zero days", { retentionDays: 0 }, /at least 1/],
    ["a fraction of a day", { retentionDays: 1.5 }, /./],
    ["days as text", { retentionDays: "7" }, /./],
  ] as const) {
    it(`refuses ${what} with a 400 naming the field, keeping the stored value`, async () => {
      const before = (await t.store.users.get("alice"))?.profile.voicemail;
      const res = await t.call("PATCH", "/api/v1/users/alice", {
        token: alice,
        body: { voicemail: value },
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as Json;
      assert.equal(body.error, "OMNIVOX_ERR_VALIDATION");
      assert.equal(body.field, "voicemail.retentionDays");
      assert.match(String(body.message), reason);
      assert.deepEqual((await t.store.users.get("alice"))?.profile.voicemail, before);
    });
  }

  it("refuses an unknown key beside it", async () => {
    const res = await t.call("PATCH", "/api/v1/users/alice", {
      token: alice,
      body: { voicemail: { retentionDays: 3, keepForever: true } },
    });
    assert.equal(res.status, 400);
    assert.match(String(((await res.json()) as Json).field), /^voicemail/);
  });

  it("refuses a creation asking for more days and creates nobody", async () => {
    const res = await t.call("POST", "/api/v1/users", {
      token: ADMIN_TOKEN,
      body: { id: "greedy", voicemail: { retentionDays: 365 } },
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as Json).field, "voicemail.retentionDays");
    assert.equal(await t.store.users.get("greedy"), undefined);
  });
});

describe("voicemail.retentionDays without a configured limit", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it("lets a profile keep messages any whole number of days", async () => {
    const res = await t.call("POST", "/api/v1/users", {
      token: ADMIN_TOKEN,
      body: { id: "bob", voicemail: { retentionDays: 3650 } },
    });
    assert.equal(res.status, 201, await res.clone().text());
    assert.deepEqual((await t.store.users.get("bob"))?.profile.voicemail, { retentionDays: 3650 });
  });
});

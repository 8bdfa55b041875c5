import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestServer } from "../../../test/support/http-app.ts";
import { ADMIN_TOKEN, startTestServer } from "../../../test/support/http-app.ts";
import { sipDigestSecrets } from "../../store/secrets.ts";

type Json = Record<string, unknown>;

describe("users and session routes", () => {
  let t: TestServer;
  let alice: string;
  let bob: string;

  before(async () => {
    t = await startTestServer({
      config: {
        smdi: [{ id: "pbx", connect: "127.0.0.1:7000" }],
        smtp: { domains: ["example.com"] },
        webhooks: [{ id: "ops", url: "http://127.0.0.1:9/hook", secret: "ops-secret-0123456789" }],
      },
    });
    alice = await t.userWithToken("alice", "alice-password");
    bob = await t.userWithToken("bob");
  });
  after(() => t.close());

  it("logs in with the right password and refuses wrong ones alike", async () => {
    const ok = await t.call("POST", "/api/v1/session", {
      body: { user: "alice", password: "alice-password" },
    });
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as Json;
    assert.match(String(body.token), /^alice\.[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{43}$/);
    assert.ok(Date.parse(String(body.expiresAt)) > Date.now());

    const wrong = await t.call("POST", "/api/v1/session", {
      body: { user: "alice", password: "nope-nope" },
    });
    const unknown = await t.call("POST", "/api/v1/session", {
      body: { user: "zed", password: "nope-nope" },
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(await wrong.json(), await unknown.json());

    const bad = await t.call("POST", "/api/v1/session", { body: { user: "alice" } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Json).field, "password");
  });

  it("requires a valid token", async () => {
    assert.equal((await t.call("GET", "/api/v1/users")).status, 401);
    assert.equal((await t.call("GET", "/api/v1/users", { token: "garbage" })).status, 401);
    const res = await t.call("GET", "/api/v1/users/alice", { token: `${alice}x` });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as Json).error, "OMNIVOX_ERR_UNAUTHORIZED");
  });

  it("lets a user see only their own profile; the admin sees all", async () => {
    assert.equal((await t.call("GET", "/api/v1/users/alice", { token: alice })).status, 200);
    const forbidden = await t.call("GET", "/api/v1/users/bob", { token: alice });
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as Json).error, "OMNIVOX_ERR_FORBIDDEN");
    assert.equal((await t.call("GET", "/api/v1/users/nobody", { token: alice })).status, 403);
    assert.equal((await t.call("GET", "/api/v1/users", { token: bob })).status, 403);
    assert.equal(
      (await t.call("POST", "/api/v1/users", { token: bob, body: { id: "carol" } })).status,
      403,
    );

    const list = await t.call("GET", "/api/v1/users", { token: ADMIN_TOKEN });
    assert.deepEqual(
      ((await list.json()) as Json[]).map((p) => p.id),
      ["alice", "bob"],
    );
    assert.equal((await t.call("GET", "/api/v1/users/bob", { token: ADMIN_TOKEN })).status, 200);
    assert.equal((await t.call("GET", "/api/v1/users/nobody", { token: ADMIN_TOKEN })).status, 404);
  });

  it("creates a user with defaults, normalised addresses and no secrets in the reply", async () => {
    const res = await t.call("POST", "/api/v1/users", {
      token: ADMIN_TOKEN,
      body: {
        id: "carol",
        displayName: "Carol C",
        emails: ["  Carol@Example.COM"],
        phones: ["+1 (555) 010-0200"],
        password: "carol-password",
        pin: "123456",
      },
    });
    assert.equal(res.status, 201);
    const text = await res.text();
    assert.doesNotMatch(text, /password|pin|scrypt/i);
    const profile = JSON.parse(text) as Json;
    assert.deepEqual(profile.emails, ["carol@example.com"]);
    assert.deepEqual(profile.phones, ["+15550100200"]);
    assert.deepEqual(profile.imClients, [{ id: "web", kind: "web" }]);
    assert.deepEqual(profile.mwi, { enabled: true, supplemental: { timestamp: true } });
    const stored = await t.store.users.get("carol");
    assert.ok(stored?.secrets.passwordHash?.startsWith("scrypt$"));
    assert.ok(stored?.secrets.pinHash?.startsWith("scrypt$"));
    // Phones register with digest auth against the SIP secret shown once in this answer: HA1
    // for the realm sip.domain ("localhost" by default), never from the web password.
    assert.match(String(profile.sipSecret), /^[a-z2-7]{26}$/);
    assert.deepEqual(
      stored?.secrets.sipDigest,
      sipDigestSecrets("carol", "localhost", String(profile.sipSecret)),
    );
    assert.notEqual(
      stored?.secrets.sipDigest?.md5,
      sipDigestSecrets("carol", "localhost", "carol-password").md5,
    );
    assert.ok(stored?.secrets.sipSecretAt instanceof Date);
    const shown = await t.call("GET", "/api/v1/users/carol", { token: ADMIN_TOKEN });
    assert.doesNotMatch(await shown.text(), /sipSecret/, "shown only once");

    const again = await t.call("POST", "/api/v1/users", {
      token: ADMIN_TOKEN,
      body: { id: "carol" },
    });
    assert.equal(again.status, 409);
  });

  it("rotates the SIP secret for the user or the admin, never for another user", async () => {
    const before = (await t.store.users.get("bob"))?.secrets.sipDigest;
    const own = await t.call("POST", "/api/v1/users/bob/sip-secret", { token: bob });
    assert.equal(own.status, 200);
    const first = String(((await own.json()) as Json).sipSecret);
    assert.match(first, /^[a-z2-7]{26}$/);
    const after1 = (await t.store.users.get("bob"))?.secrets.sipDigest;
    assert.notDeepEqual(after1, before);
    assert.deepEqual(after1, sipDigestSecrets("bob", "localhost", first));
    const byAdmin = await t.call("POST", "/api/v1/users/bob/sip-secret", { token: ADMIN_TOKEN });
    const second = String(((await byAdmin.json()) as Json).sipSecret);
    assert.notEqual(second, first);
    assert.deepEqual(
      (await t.store.users.get("bob"))?.secrets.sipDigest,
      sipDigestSecrets("bob", "localhost", second),
    );
    const other = await t.call("POST", "/api/v1/users/bob/sip-secret", { token: alice });
    assert.equal(other.status, 403);
    const nobody = await t.call("POST", "/api/v1/users/nobody/sip-secret", { token: ADMIN_TOKEN });
    assert.equal(nobody.status, 404);
  });

  it("takes a route to a configured webhook and refuses one the configuration lacks", async () => {
    const routes = [{ from: "voicemail", to: ["webhook:ops", "email"] }];
    const made = await t.call("POST", "/api/v1/users", {
      token: ADMIN_TOKEN,
      body: { id: "hooked", routes },
    });
    assert.equal(made.status, 201);
    assert.deepEqual(((await made.json()) as Json).routes, routes);
    const bad = await t.call("PATCH", "/api/v1/users/hooked", {
      token: ADMIN_TOKEN,
      body: { routes: [{ from: "*", to: ["webhook:gone"] }] },
    });
    assert.equal(bad.status, 400);
    const err = (await bad.json()) as Json;
    assert.equal(err.field, "routes.0.to.0");
    assert.match(String(err.message), /no webhook "gone" in the configuration/);
  });

  it("names the field of a bad value and the unknown key", async () => {
    const cases: Array<[Json, string]> = [
      [{ id: "dave", emails: ["ok@example.com", "not-an-email"] }, "emails.1"],
      [{ id: "Dave" }, "id"],
      [{ id: "dave", colour: "blue" }, "colour"],
      [{ id: "dave", mwi: { enabled: true, blink: 1 } }, "mwi.blink"],
      [{ id: "dave", routes: [{ from: "fax", to: ["email"] }] }, "routes.0.from"],
      [{ id: "dave", routes: [{ from: "*", to: ["webhook:nope"] }] }, "routes.0.to.0"],
      [{ id: "dave", routes: [{ from: "*", to: ["email", "webhook:a b"] }] }, "routes.0.to.1"],
      [{ id: "dave", routes: [{ from: "*", to: ["webhook"] }] }, "routes.0.to.0"],
      [{ id: "dave", voicemailSystems: [{ id: "x", kind: "sip" }] }, "voicemailSystems.0.uri"],
      [{ id: "dave", voicemailSystems: [{ id: "x", kind: "tape" }] }, "voicemailSystems.0.kind"],
      [
        { id: "dave", voicemailSystems: [{ id: "p", kind: "smdi", link: "nope", station: "12" }] },
        "voicemailSystems.0.link",
      ],
      [
        {
          id: "dave",
          imClients: [
            { id: "a", kind: "web" },
            { id: "a", kind: "web" },
          ],
        },
        "imClients.1.id",
      ],
      [{ id: "dave", pin: "12" }, "pin"],
      [{ id: "dave", phones: ["call me"] }, "phones.0"],
    ];
    for (const [body, field] of cases) {
      const res = await t.call("POST", "/api/v1/users", { token: ADMIN_TOKEN, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      const err = (await res.json()) as Json;
      assert.equal(err.error, "OMNIVOX_ERR_VALIDATION");
      assert.equal(err.field, field, JSON.stringify(body));
      assert.equal(typeof err.message, "string");
    }
    const notJson = await fetch(`${t.base}/api/v1/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: "{nope",
    });
    assert.equal(notJson.status, 400);
    assert.equal(await t.store.users.get("dave"), undefined);
  });

  it("accepts an SMDI voicemail system on a configured link", async () => {
    const res = await t.call("POST", "/api/v1/users", {
      token: ADMIN_TOKEN,
      body: {
        id: "erin",
        voicemailSystems: [{ id: "old", kind: "smdi", link: "pbx", station: "4001" }],
      },
    });
    assert.equal(res.status, 201);
  });

  it("patches top-level fields, re-hashes the password and keeps the id", async () => {
    const assigned = await t.call("PATCH", "/api/v1/users/alice", {
      token: ADMIN_TOKEN,
      body: { emails: ["ALICE@example.com"] },
    });
    assert.equal(assigned.status, 200);
    const res = await t.call("PATCH", "/api/v1/users/alice", {
      token: alice,
      body: {
        displayName: "Alice A",
        emails: ["alice@example.com"],
        password: "new-alice-password",
      },
    });
    assert.equal(res.status, 200);
    const profile = (await res.json()) as Json;
    assert.equal(profile.displayName, "Alice A");
    assert.deepEqual(profile.emails, ["alice@example.com"]);
    assert.deepEqual(profile.imClients, [{ id: "web", kind: "web" }]);

    const oldLogin = await t.call("POST", "/api/v1/session", {
      body: { user: "alice", password: "alice-password" },
    });
    assert.equal(oldLogin.status, 401);
    const newLogin = await t.call("POST", "/api/v1/session", {
      body: { user: "alice", password: "new-alice-password" },
    });
    assert.equal(newLogin.status, 200);
    // Sessions opened with the old password end with it (the token is bound to the hash).
    const stale = await t.call("GET", "/api/v1/users/alice", { token: alice });
    assert.equal(stale.status, 401);
    alice = ((await newLogin.json()) as { token: string }).token;
    assert.equal((await t.call("GET", "/api/v1/users/alice", { token: alice })).status, 200);
    // The SIP secret is apart from the password: a new password leaves the phones' digest alone.
    const digest = (await t.store.users.get("alice"))?.secrets.sipDigest;
    assert.notEqual(digest?.md5, sipDigestSecrets("alice", "localhost", "new-alice-password").md5);

    const rename = await t.call("PATCH", "/api/v1/users/alice", {
      token: alice,
      body: { id: "mallory" },
    });
    assert.equal(rename.status, 403);
    const other = await t.call("PATCH", "/api/v1/users/bob", {
      token: alice,
      body: { displayName: "x" },
    });
    assert.equal(other.status, 403);
    const bad = await t.call("PATCH", "/api/v1/users/alice", {
      token: alice,
      body: { mwi: { enabled: "yes" } },
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Json).field, "mwi.enabled");
    const taken = await t.call("PATCH", "/api/v1/users/bob", {
      token: ADMIN_TOKEN,
      body: { emails: ["alice@example.com"] },
    });
    assert.equal(taken.status, 409);
    assert.match(((await taken.json()) as Json).message as string, /alice@example\.com/);
  });

  it("deletes a user: themselves or by the admin", async () => {
    const erin = await t.call("POST", "/api/v1/session", { body: { user: "erin", password: "x" } });
    assert.equal(erin.status, 401);
    assert.equal((await t.call("DELETE", "/api/v1/users/carol", { token: bob })).status, 403);
    assert.equal(
      (await t.call("DELETE", "/api/v1/users/carol", { token: ADMIN_TOKEN })).status,
      204,
    );
    assert.equal(
      (await t.call("DELETE", "/api/v1/users/carol", { token: ADMIN_TOKEN })).status,
      404,
    );
    assert.equal((await t.call("DELETE", "/api/v1/users/bob", { token: bob })).status, 204);
    assert.equal(await t.store.users.get("bob"), undefined);
  });

  it("never logs passwords or tokens", () => {
    const log = t.logs.join("");
    assert.ok(log.length > 0);
    for (const secret of [
      "alice-password",
      "new-alice-password",
      "carol-password",
      ADMIN_TOKEN,
      alice,
    ]) {
      assert.ok(!log.includes(secret), `log contains ${secret.slice(0, 8)}…`);
    }
  });
});

// Sessions over real HTTP: a login is listed with its source, the user or the admin ends one or
// all, and a revoked token is refused at once on REST and its open WebSocket is closed.

import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { TestServer } from "../../../test/support/http-app.ts";
import { ADMIN_TOKEN, startTestServer } from "../../../test/support/http-app.ts";

type Json = Record<string, unknown>;

describe("session list and revocation", () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer();
    await t.userWithToken("alice", "alice-password");
    await t.userWithToken("bob", "bob-password");
  });
  after(() => t.close());

  async function login(user: string, password: string): Promise<{ token: string; sid: string }> {
    const res = await t.call("POST", "/api/v1/session", { body: { user, password } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string; sessionId: string };
    return { token: body.token, sid: body.sessionId };
  }

  async function sessionsOf(user: string, token: string): Promise<Json[]> {
    const res = await t.call("GET", `/api/v1/users/${user}/sessions`, { token });
    assert.equal(res.status, 200);
    return (await res.json()) as Json[];
  }

  it("lists the user's live sessions, marks the caller's own, and hides them from others", async () => {
    const a1 = await login("alice", "alice-password");
    const a2 = await login("alice", "alice-password");
    const listed = await sessionsOf("alice", a2.token);
    const mine = listed.find((s) => s.id === a2.sid);
    assert.equal(mine?.current, true);
    assert.equal(mine?.source, "127.0.0.1");
    assert.equal(listed.find((s) => s.id === a1.sid)?.current, false);
    assert.ok(listed.every((s) => typeof s.expiresAt === "string" && !("token" in s)));
    const bob = await login("bob", "bob-password");
    const peek = await t.call("GET", "/api/v1/users/alice/sessions", { token: bob.token });
    assert.equal(peek.status, 403);
    const end = await t.call("DELETE", `/api/v1/users/alice/sessions/${a1.sid}`, {
      token: bob.token,
    });
    assert.equal(end.status, 403);
    assert.equal((await sessionsOf("alice", ADMIN_TOKEN)).length, listed.length);
  });

  it("a revoked token gets 401 at once on REST, and its WebSocket is closed", async () => {
    const victim = await login("alice", "alice-password");
    const other = await login("alice", "alice-password");
    assert.equal((await t.call("GET", "/api/v1/users/alice", { token: victim.token })).status, 200);
    const ws = new WebSocket(`ws://${t.base.slice(7)}/api/v1/stream?token=${victim.token}`);
    await once(ws, "open");
    const closed = once(ws, "close");

    const res = await t.call("DELETE", `/api/v1/users/alice/sessions/${victim.sid}`, {
      token: other.token,
    });
    assert.equal(res.status, 204);
    const [code, reason] = (await closed) as [number, Buffer];
    assert.equal(code, 1008);
    assert.equal(String(reason), "session revoked");
    const refused = await t.call("GET", "/api/v1/users/alice", { token: victim.token });
    assert.equal(refused.status, 401);
    // A new stream with the revoked token is refused before the upgrade.
    const again = new WebSocket(`ws://${t.base.slice(7)}/api/v1/stream?token=${victim.token}`);
    const [err] = (await once(again, "error")) as [Error];
    assert.match(err.message, /401/);
    assert.equal((await t.call("GET", "/api/v1/users/alice", { token: other.token })).status, 200);
    const gone = await t.call("DELETE", `/api/v1/users/alice/sessions/${victim.sid}`, {
      token: other.token,
    });
    assert.equal(gone.status, 404);
  });

  it("ends all sessions, or all but the caller's own; the admin may end a user's sessions", async () => {
    const s1 = await login("alice", "alice-password");
    const s2 = await login("alice", "alice-password");
    const keep = await t.call("DELETE", "/api/v1/users/alice/sessions?keep=current", {
      token: s2.token,
    });
    assert.equal(keep.status, 200);
    assert.ok(((await keep.json()) as { revoked: number }).revoked >= 1);
    assert.equal((await t.call("GET", "/api/v1/users/alice", { token: s1.token })).status, 401);
    assert.deepEqual(
      (await sessionsOf("alice", s2.token)).map((s) => s.id),
      [s2.sid],
    );
    const all = await t.call("DELETE", "/api/v1/users/alice/sessions", { token: ADMIN_TOKEN });
    assert.deepEqual(await all.json(), { revoked: 1 });
    assert.equal((await t.call("GET", "/api/v1/users/alice", { token: s2.token })).status, 401);
  });

  it("a password change ends the user's other sessions too", async () => {
    const s1 = await login("bob", "bob-password");
    const s2 = await login("bob", "bob-password");
    const res = await t.call("PATCH", "/api/v1/users/bob", {
      token: s1.token,
      body: { password: "bob-new-password" },
    });
    assert.equal(res.status, 200);
    assert.equal((await t.call("GET", "/api/v1/users/bob", { token: s2.token })).status, 401);
    assert.deepEqual(await sessionsOf("bob", ADMIN_TOKEN), []);
  });

  it("deleting the user closes their open streams at once", async () => {
    assert.equal(
      (
        await t.call("POST", "/api/v1/users", {
          token: ADMIN_TOKEN,
          body: { id: "dora", password: "dora-password" },
        })
      ).status,
      201,
    );
    const dora = await login("dora", "dora-password");
    const ws = new WebSocket(`ws://${t.base.slice(7)}/api/v1/stream?token=${dora.token}`);
    await once(ws, "open");
    const closed = once(ws, "close");
    assert.equal(
      (await t.call("DELETE", "/api/v1/users/dora", { token: ADMIN_TOKEN })).status,
      204,
    );
    const [code] = (await closed) as [number];
    assert.equal(code, 1008);
  });

  it("bad ids give 400 naming the field", async () => {
    const s = await login("alice", "alice-password");
    const bad = await t.call("DELETE", "/api/v1/users/alice/sessions/short", { token: s.token });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Json).field, "sid");
    const query = await t.call("DELETE", "/api/v1/users/alice/sessions?keep=all", {
      token: s.token,
    });
    assert.equal(query.status, 400);
    assert.equal(((await query.json()) as Json).field, "keep");
  });
});

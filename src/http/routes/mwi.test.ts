// The MWI routes over real HTTP with the real MwiService and web hub: the combined state, the
// per-system switch, a `mwi` event on the stream when it changes, access rules and bad input.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import type { TestServer } from "../../../test/support/http-app.ts";
import { ADMIN_TOKEN, startTestServer } from "../../../test/support/http-app.ts";
import { until } from "../../../test/support/until.ts";

type Json = Record<string, unknown>;

describe("mwi routes", () => {
  let t: TestServer;
  let alice: string;
  let bob: string;

  before(async () => {
    t = await startTestServer();
    alice = await t.userWithToken("alice");
    bob = await t.userWithToken("bob");
    // A legacy box is an address: the admin assigns it.
    const patched = await t.call("PATCH", "/api/v1/users/alice", {
      token: ADMIN_TOKEN,
      body: {
        voicemailSystems: [
          { id: "internal", kind: "internal" },
          { id: "pbx", kind: "sip", uri: "sip:alice@127.0.0.1:5099" },
        ],
      },
    });
    assert.equal(patched.status, 200);
  });
  after(() => t.close());

  it("GET gives the total and one entry per system in profile order", async () => {
    const res = await t.call("GET", "/api/v1/users/alice/mwi", { token: alice });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Json;
    assert.deepEqual(body.total, { new: 0, old: 0, urgentNew: 0, urgentOld: 0 });
    assert.deepEqual(
      (body.systems as Json[]).map((s) => [s.id, s.kind, s.enabled]),
      [
        ["internal", "internal", true],
        ["pbx", "sip", true],
      ],
    );
  });

  it("PUT switches a system and the connected web client gets a `mwi` event", async () => {
    const ws = new WebSocket(`ws://${t.base.slice(7)}/api/v1/stream?token=${alice}`);
    const events: Json[] = [];
    ws.on("message", (data) => {
      const e = JSON.parse(String(data)) as Json;
      events.push(e);
      ws.send(JSON.stringify({ type: "ack", id: e.id }));
    });
    await new Promise((resolve) => ws.once("open", resolve));
    const res = await t.call("PUT", "/api/v1/users/alice/mwi/pbx", {
      token: alice,
      body: { enabled: false },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Json;
    assert.equal((body.systems as Json[])[1]?.enabled, false);
    const event = await until(
      "an mwi event with pbx switched off",
      () =>
        events.find(
          (e) =>
            e.type === "mwi" && (e.systems as Json[]).some((s) => s.id === "pbx" && !s.enabled),
        ),
      3000,
    );
    assert.deepEqual(event.client, { id: "web", kind: "web" });
    assert.equal(event.userId, "alice");
    ws.close();
  });

  it("another user is refused; the admin may read", async () => {
    assert.equal((await t.call("GET", "/api/v1/users/alice/mwi", { token: bob })).status, 403);
    assert.equal(
      (
        await t.call("PUT", "/api/v1/users/alice/mwi/pbx", {
          token: bob,
          body: { enabled: true },
        })
      ).status,
      403,
    );
    assert.equal(
      (await t.call("GET", "/api/v1/users/alice/mwi", { token: ADMIN_TOKEN })).status,
      200,
    );
  });

  it("bad input: the field is named; an unknown system or user is 404", async () => {
    const bad = await t.call("PUT", "/api/v1/users/alice/mwi/pbx", {
      token: alice,
      body: { enabled: "yes" },
    });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(await bad.json()), /enabled/);
    const extra = await t.call("PUT", "/api/v1/users/alice/mwi/pbx", {
      token: alice,
      body: { enabled: true, colour: "red" },
    });
    assert.equal(extra.status, 400);
    const unknown = await t.call("PUT", "/api/v1/users/alice/mwi/nope", {
      token: alice,
      body: { enabled: true },
    });
    assert.equal(unknown.status, 404);
    const nobody = await t.call("GET", "/api/v1/users/carol/mwi", { token: ADMIN_TOKEN });
    assert.equal(nobody.status, 404);
  });
});

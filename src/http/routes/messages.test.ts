import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestServer } from "../test-support.ts";
import { ADMIN_TOKEN, startTestServer } from "../test-support.ts";

type Json = Record<string, unknown>;

describe("POST /api/v1/messages", () => {
  let t: TestServer;
  let alice: string;

  before(async () => {
    t = await startTestServer();
    alice = await t.userWithToken("alice");
  });
  after(() => t.close());

  it("submits a user's message to the gateway and answers 201", async () => {
    const res = await t.call("POST", "/api/v1/messages", {
      token: alice,
      body: { to: "tel:+1 555 0100", text: "call me back", inReplyTo: "c-7" },
    });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Json;
    assert.equal(typeof body.communicationId, "string");
    const draft = t.gateway.drafts.at(-1);
    assert.deepEqual(draft?.to, { scheme: "tel", number: "+15550100" });
    assert.deepEqual(draft?.from, { scheme: "web", userId: "alice", clientId: "api" });
    assert.equal(draft?.userId, "alice");
    assert.deepEqual(draft?.replyTo, [{ system: "omnivox", id: "c-7" }]);
  });

  it("names a bad target and keeps users to themselves", async () => {
    const bad = await t.call("POST", "/api/v1/messages", {
      token: alice,
      body: { to: "fax:123", text: "x" },
    });
    assert.equal(bad.status, 400);
    const err = (await bad.json()) as Json;
    assert.equal(err.field, "to");
    assert.match(String(err.message), /fax:123/);
    const other = await t.call("POST", "/api/v1/messages", {
      token: alice,
      body: { userId: "bob", to: "mailto:a@b.c", text: "x" },
    });
    assert.equal(other.status, 403);
    const admin = await t.call("POST", "/api/v1/messages", {
      token: ADMIN_TOKEN,
      body: { to: "mailto:a@b.c", text: "x" },
    });
    assert.equal(((await admin.json()) as Json).field, "userId");
    const asAlice = await t.call("POST", "/api/v1/messages", {
      token: ADMIN_TOKEN,
      body: { userId: "alice", to: "mailto:a@b.c", text: "x" },
    });
    assert.equal(asAlice.status, 201);
  });

  it("answers 500 without internals when the gateway fails", async () => {
    t.gateway.fail = new Error("SQLITE_CORRUPT at /secret/path");
    const res = await t.call("POST", "/api/v1/messages", {
      token: alice,
      body: { to: "mailto:a@b.c", text: "x" },
    });
    t.gateway.fail = undefined;
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), {
      error: "OMNIVOX_ERR_INTERNAL",
      message: "internal server error",
    });
  });
});

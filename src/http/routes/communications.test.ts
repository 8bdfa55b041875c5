import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestServer } from "../../../test/support/http-app.ts";
import { ADMIN_TOKEN, startTestServer } from "../../../test/support/http-app.ts";
import { testCommunication } from "../../../test/support/store.ts";

type Json = Record<string, unknown>;

describe("communications, health and metrics routes", () => {
  let t: TestServer;
  let alice: string;

  before(async () => {
    t = await startTestServer();
    alice = await t.userWithToken("alice");
    await t.userWithToken("bob");
    const older = testCommunication({
      id: "c-old",
      userId: "alice",
      receivedAt: new Date("2024-01-01T00:00:00Z"),
    });
    const newer = testCommunication({
      id: "c-new",
      userId: "alice",
      receivedAt: new Date("2024-02-01T00:00:00Z"),
    });
    const bobs = testCommunication({ id: "c-bob", userId: "bob" });
    await t.store.communications.insertWithDeliveries(older, [{ target: "web:alice/web" }]);
    const [d] = await t.store.communications.insertWithDeliveries(newer, [
      { target: "mailto:alice@example.net" },
    ]);
    await t.store.communications.insertWithDeliveries(bobs, [{ target: "web:bob/web" }]);
    await t.store.outbox.markDelivered(d!.id, new Date("2024-02-01T00:00:01Z"), "<n@x>");
  });
  after(() => t.close());

  it("lists a user's own communications, newest first, with deliveries", async () => {
    const res = await t.call("GET", "/api/v1/communications", { token: alice });
    assert.equal(res.status, 200);
    const list = (await res.json()) as Json[];
    assert.deepEqual(
      list.map((c) => c.id),
      ["c-new", "c-old"],
    );
    const first = list[0]!;
    assert.equal(first.receivedAt, "2024-02-01T00:00:00.000Z");
    assert.equal(first.kind, "email");
    assert.deepEqual(first.body, { text: "hello" });
    const deliveries = first.deliveries as Json[];
    assert.equal(deliveries.length, 1);
    assert.deepEqual(Object.keys(deliveries[0]!).sort(), [
      "attempts",
      "deliveredAt",
      "id",
      "lastError",
      "state",
      "target",
    ]);
    assert.equal(deliveries[0]!.state, "delivered");
    assert.equal(deliveries[0]!.target, "mailto:alice@example.net");
    assert.equal(deliveries[0]!.deliveredAt, "2024-02-01T00:00:01.000Z");
    assert.equal((list[1]!.deliveries as Json[])[0]!.state, "pending");
  });

  it("pages with limit and before", async () => {
    const res = await t.call("GET", "/api/v1/communications?limit=1&before=2024-01-15T00:00:00Z", {
      token: alice,
    });
    assert.deepEqual(
      ((await res.json()) as Json[]).map((c) => c.id),
      ["c-old"],
    );
    const bad = await t.call("GET", "/api/v1/communications?limit=0", { token: alice });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Json).field, "limit");
    const badDate = await t.call("GET", "/api/v1/communications?before=yesterday", {
      token: alice,
    });
    assert.equal(((await badDate.json()) as Json).field, "before");
  });

  it("keeps users to their own and makes the admin name one", async () => {
    assert.equal(
      (await t.call("GET", "/api/v1/communications?userId=bob", { token: alice })).status,
      403,
    );
    const admin = await t.call("GET", "/api/v1/communications", { token: ADMIN_TOKEN });
    assert.equal(admin.status, 400);
    assert.equal(((await admin.json()) as Json).field, "userId");
    const bobs = await t.call("GET", "/api/v1/communications?userId=bob", { token: ADMIN_TOKEN });
    assert.deepEqual(
      ((await bobs.json()) as Json[]).map((c) => c.id),
      ["c-bob"],
    );
    assert.equal((await t.call("GET", "/api/v1/communications")).status, 401);
  });

  it("reports health without auth: 200 when all pass, 503 otherwise", async () => {
    const ok = await t.call("GET", "/healthz");
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { ok: true, status: "ok", checks: { store: true } });
    t.health.smtp = false;
    const down = await t.call("GET", "/healthz");
    assert.equal(down.status, 503);
    assert.deepEqual(await down.json(), {
      ok: false,
      status: "degraded",
      checks: { store: true, smtp: false },
      reasons: ["smtp: check failed"],
    });
    delete t.health.smtp;
  });

  it("serves Prometheus metrics with the outbox by state", async () => {
    const res = await t.call("GET", "/metrics");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^# TYPE omnivox_deliveries gauge$/m);
    assert.match(text, /^omnivox_deliveries\{state="pending",scheme="web"\} 2$/m);
    assert.match(text, /^omnivox_deliveries\{state="delivered",scheme="mailto"\} 1$/m);
    assert.match(text, /^# TYPE omnivox_delivery_latency_seconds histogram$/m);
    assert.match(text, /^# TYPE omnivox_delivery_attempts_total counter$/m);
  });

  it("answers unknown routes and bad JSON in the error format", async () => {
    const missing = await t.call("GET", "/api/v1/nothing", { token: alice });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as Json).error, "OMNIVOX_ERR_NOT_FOUND");
    const big = await fetch(`${t.base}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "x", password: "y".repeat(2 * 1024 * 1024) }),
    });
    assert.equal(big.status, 413);
  });
});

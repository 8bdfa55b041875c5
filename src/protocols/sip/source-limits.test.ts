import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DEFAULT_SOURCE_LIMITS,
  requestClass,
  SourceLimiter,
  type ThrottleEvent,
} from "./source-limits.ts";

function limiter(now: { t: number }) {
  const events: ThrottleEvent[] = [];
  const l = new SourceLimiter(
    {
      ...DEFAULT_SOURCE_LIMITS,
      rates: { ...DEFAULT_SOURCE_LIMITS.rates, invite: { burst: 2, perMinute: 60 } },
      rejectFirst: 2,
      floodQuietMs: 10_000,
      ban: { ...DEFAULT_SOURCE_LIMITS.ban, maxFailures: 20, banMs: 5000, banFactor: 2 },
      exempt: ["192.0.2.99", "[2001:db8::1]"],
    },
    () => now.t,
  );
  l.onFloodStart = (e) => events.push(e);
  return { l, events };
}

test("requests are classed by method", () => {
  assert.equal(requestClass("INVITE"), "invite");
  assert.equal(requestClass("REGISTER"), "register");
  assert.equal(requestClass("SUBSCRIBE"), "subscribe");
  assert.equal(requestClass("OPTIONS"), "other");
});

test("a flood gets 503 for its first excess requests, then silence, and one warn line", () => {
  const now = { t: 0 };
  const { l, events } = limiter(now);
  const verdicts = Array.from({ length: 8 }, () => l.admit("192.0.2.1", "INVITE", 0, 100).verdict);
  assert.deepEqual(verdicts, [
    "admit",
    "admit",
    "reject",
    "reject",
    "drop",
    "drop",
    "drop",
    "drop",
  ]);
  assert.equal(events.length, 1);
  assert.deepEqual(events[0], { source: "192.0.2.1", reason: "rate", method: "INVITE" });
  // Other classes and other sources have their own budgets.
  assert.equal(l.admit("192.0.2.1", "REGISTER", 0, 100).verdict, "admit");
  assert.equal(l.admit("192.0.2.2", "INVITE", 0, 100).verdict, "admit");
  assert.equal(l.throttledSources(), 1);
  // Quiet for longer than floodQuietMs: a new flood, answered again and logged again.
  now.t += 11_000;
  assert.equal(l.throttledSources(), 0);
  for (let i = 0; i < 3; i++) l.admit("192.0.2.1", "INVITE", 0, 100);
  assert.equal(l.admit("192.0.2.1", "INVITE", 0, 100).verdict, "reject");
  assert.equal(events.length, 2);
});

test("the transaction share is a cap of its own; trusted proxies are exempt", () => {
  const now = { t: 0 };
  const { l } = limiter(now);
  assert.equal(l.transactionCap(8000), 800);
  assert.deepEqual(l.admit("192.0.2.1", "OPTIONS", 800, 800), {
    verdict: "reject",
    reason: "transactions",
  });
  for (let i = 0; i < 100; i++)
    assert.equal(l.admit("192.0.2.99", "INVITE", 5000, 800).verdict, "admit");
  assert.equal(l.admit("2001:db8::1", "INVITE", 5000, 800).verdict, "admit");
  assert.ok(l.isExempt("2001:db8::1"));
  assert.ok(!l.isExempt("2001:db8:1::1"));
});

test("sustained flooding bans the source, longer each time", () => {
  const now = { t: 0 };
  const { l, events } = limiter(now);
  for (let i = 0; i < 22; i++) l.admit("192.0.2.1", "INVITE", 0, 100);
  assert.deepEqual(l.admit("192.0.2.1", "INVITE", 0, 100), { verdict: "drop", reason: "banned" });
  assert.ok(events.some((e) => e.reason === "banned"));
  // Even a fresh class of request is dropped while the ban lasts.
  assert.equal(l.admit("192.0.2.1", "REGISTER", 0, 100).verdict, "drop");
  now.t += 5001;
  assert.equal(l.admit("192.0.2.1", "REGISTER", 0, 100).verdict, "admit");
  for (let i = 0; i < 25; i++) l.admit("192.0.2.1", "INVITE", 0, 100);
  now.t += 5001;
  assert.equal(
    l.admit("192.0.2.1", "REGISTER", 0, 100).verdict,
    "drop",
    "the second ban is longer",
  );
  now.t += 5000;
  assert.equal(l.admit("192.0.2.1", "REGISTER", 0, 100).verdict, "admit");
});

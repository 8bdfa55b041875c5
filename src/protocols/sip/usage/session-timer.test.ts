import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMessage } from "../message/index.ts";
import type { SipRequest } from "../message/types.ts";
import { ManualClock } from "../transaction/timers.ts";
import { negotiateSessionTimer, parseSessionExpires, SessionTimer } from "./session-timer.ts";

function invite(headers: string[]): SipRequest {
  const text = [
    "INVITE sip:alice@example.com SIP/2.0",
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1",
    "From: <sip:bob@example.com>;tag=1",
    "To: <sip:alice@example.com>",
    "Call-ID: st-1",
    "CSeq: 1 INVITE",
    "Contact: <sip:bob@192.0.2.1>",
    "Max-Forwards: 70",
    ...headers,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  const m = parseMessage(Buffer.from(text));
  assert.ok(m.ok && m.message.kind === "request");
  return m.message as SipRequest;
}

test("Session-Expires parses with and without refresher; junk is no value", () => {
  assert.deepEqual(parseSessionExpires("1800;refresher=uac"), { delta: 1800, refresher: "uac" });
  assert.deepEqual(parseSessionExpires(" 90 ; Refresher = UAS"), { delta: 90, refresher: "uas" });
  assert.deepEqual(parseSessionExpires("600"), { delta: 600 });
  assert.equal(parseSessionExpires("soon"), undefined);
  assert.equal(parseSessionExpires("-5"), undefined);
  assert.equal(parseSessionExpires(undefined), undefined);
});

test("RFC 4028 §9: what the UAS answers to each kind of request", () => {
  assert.deepEqual(negotiateSessionTimer(invite([])), { kind: "none" });
  assert.deepEqual(
    negotiateSessionTimer(invite(["Supported: timer", "Session-Expires: 90;refresher=uac"])),
    { kind: "run", interval: 90, refresher: "uac", uacSupports: true },
  );
  // No refresher named: the UAC that supports timers refreshes.
  assert.deepEqual(negotiateSessionTimer(invite(["Supported: 100rel, timer", "x: 1800"])), {
    kind: "run",
    interval: 1800,
    refresher: "uac",
    uacSupports: true,
  });
  assert.deepEqual(negotiateSessionTimer(invite(["Supported: timer", "Session-Expires: 60"])), {
    kind: "too-small",
    minSe: 90,
  });
  // A proxy's Min-SE raises the floor.
  assert.deepEqual(
    negotiateSessionTimer(invite(["Supported: timer", "Session-Expires: 100", "Min-SE: 120"])),
    { kind: "too-small", minSe: 120 },
  );
  // A proxy asked for the timer on behalf of a UAC without support: we refresh, at the floor.
  assert.deepEqual(negotiateSessionTimer(invite(["Session-Expires: 30;refresher=uac"])), {
    kind: "run",
    interval: 90,
    refresher: "uas",
    uacSupports: false,
  });
});

test("the peer refreshes: no refresh before min(32 s, interval/3) ahead of expiry ends it", () => {
  const clock = new ManualClock();
  let expired = 0;
  const timer = new SessionTimer({
    refresh: async () => {},
    expire: () => expired++,
    scheduler: clock,
  });
  timer.apply({ kind: "run", interval: 90, refresher: "uac", uacSupports: true });
  assert.deepEqual(timer.responseHeaders(), [
    ["Session-Expires", "90;refresher=uac"],
    ["Supported", "timer"],
    ["Require", "timer"],
  ]);
  timer.restart();
  clock.advance(59_000);
  assert.equal(expired, 0);
  timer.restart(); // a refresh came
  clock.advance(59_000);
  assert.equal(expired, 0, "the refresh restarted the interval");
  clock.advance(1000);
  assert.equal(expired, 1, "90 s - 30 s after the last refresh");
  timer.apply({ kind: "none" });
  assert.deepEqual(timer.responseHeaders(), []);
  assert.equal(clock.pending, 0);
});

test("we refresh: at half the interval, again after each success, expiry when it fails", async () => {
  const clock = new ManualClock();
  let refreshes = 0;
  let expired = 0;
  let fail = false;
  const timer = new SessionTimer({
    refresh: async () => {
      refreshes++;
      if (fail) throw new Error("481");
    },
    expire: () => expired++,
    scheduler: clock,
  });
  timer.apply({ kind: "run", interval: 120, refresher: "uas", uacSupports: true });
  assert.deepEqual(timer.refreshHeaders(), [
    ["Session-Expires", "120;refresher=uas"],
    ["Supported", "timer"],
  ]);
  timer.restart();
  clock.advance(59_000);
  assert.equal(refreshes, 0);
  clock.advance(1000);
  assert.equal(refreshes, 1);
  await new Promise((r) => setImmediate(r));
  clock.advance(60_000);
  assert.equal(refreshes, 2, "restarted after the successful refresh");
  fail = true;
  await new Promise((r) => setImmediate(r));
  clock.advance(60_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(expired, 1, "a failed refresh ends the session");
  timer.stop();
});

// Tests for RFC 4733 telephone-event payloads and the digit de-duplicating receiver.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildTelephoneEvent,
  type DtmfDigit,
  DtmfReceiver,
  digitToEvent,
  eventToDigit,
  parseTelephoneEvent,
  type TelephoneEvent,
  writeTelephoneEvent,
} from "./dtmf.ts";

describe("telephone-event payload", () => {
  it("parses the RFC 4733 layout", () => {
    // event 5, E=1, R=1 (ignored), volume 10, duration 800
    assert.deepEqual(parseTelephoneEvent(Uint8Array.of(5, 0xca, 0x03, 0x20)), {
      event: 5,
      end: true,
      volume: 10,
      duration: 800,
    });
    assert.equal(parseTelephoneEvent(Uint8Array.of(5, 0x80, 0)), null);
    assert.equal(parseTelephoneEvent(new Uint8Array(0)), null);
  });

  it("builds and round-trips", () => {
    const ev = { event: 11, end: false, volume: 63, duration: 65535 };
    const buf = buildTelephoneEvent(ev);
    assert.deepEqual([...buf], [11, 0x3f, 0xff, 0xff]);
    assert.deepEqual(parseTelephoneEvent(buf), ev);
    const dst = new Uint8Array(6);
    assert.equal(writeTelephoneEvent({ ...ev, end: true }, dst, 2), 4);
    assert.equal(dst[3], 0xbf);
  });

  it("rejects out-of-range fields", () => {
    const ev = { event: 1, end: false, volume: 10, duration: 0 };
    assert.throws(() => buildTelephoneEvent({ ...ev, event: 256 }), RangeError);
    assert.throws(() => buildTelephoneEvent({ ...ev, volume: 64 }), RangeError);
    assert.throws(() => buildTelephoneEvent({ ...ev, duration: 70000 }), RangeError);
    assert.throws(() => buildTelephoneEvent({ ...ev, duration: -1 }), RangeError);
    assert.throws(() => writeTelephoneEvent(ev, new Uint8Array(5), 2), RangeError);
  });

  it("maps digits to events", () => {
    assert.equal(eventToDigit(0), "0");
    assert.equal(eventToDigit(10), "*");
    assert.equal(eventToDigit(11), "#");
    assert.equal(eventToDigit(15), "D");
    assert.equal(eventToDigit(16), null);
    assert.equal(digitToEvent("#"), 11);
    assert.equal(digitToEvent("a"), 12);
    assert.equal(digitToEvent("E"), null);
    assert.equal(digitToEvent("12"), null);
  });
});

/** The packets a sender emits for one key press: updates every 20 ms, then three end packets. */
function keyPress(event: number, updates: number): TelephoneEvent[] {
  const packets: TelephoneEvent[] = [];
  for (let i = 1; i <= updates; i++)
    packets.push({ event, end: false, volume: 10, duration: 160 * i });
  for (let i = 0; i < 3; i++)
    packets.push({ event, end: true, volume: 10, duration: 160 * updates });
  return packets;
}

function receiver() {
  const digits: DtmfDigit[] = [];
  const starts: number[] = [];
  const rx = new DtmfReceiver(
    (d) => digits.push(d),
    (event) => starts.push(event),
  );
  return { rx, digits, starts };
}

describe("DtmfReceiver", () => {
  it("reports each key press once, on its end", () => {
    const { rx, digits, starts } = receiver();
    for (const ev of keyPress(1, 5)) rx.push(1000, ev);
    for (const ev of keyPress(1, 4)) rx.push(3000, ev); // same key again: a new timestamp
    for (const ev of keyPress(11, 3)) rx.push(5000, ev);
    assert.deepEqual(
      digits.map((d) => [d.digit, d.timestamp, d.duration, d.ended]),
      [
        ["1", 1000, 800, true],
        ["1", 3000, 640, true],
        ["#", 5000, 480, true],
      ],
    );
    assert.deepEqual(starts, [1, 1, 11]);
  });

  it("ignores late and reordered repeats of a reported event", () => {
    const { rx, digits } = receiver();
    const packets = keyPress(7, 3);
    rx.push(500, packets[3]!); // an end packet overtakes the updates
    for (const ev of packets) rx.push(500, ev);
    rx.push(340, { event: 2, end: true, volume: 10, duration: 160 }); // older than the reported
    assert.equal(digits.length, 1);
    assert.equal(digits[0]!.digit, "7");
  });

  it("reports an event whose end packets were lost when the next begins, or on flush", () => {
    const { rx, digits } = receiver();
    for (const ev of keyPress(4, 3).slice(0, 3)) rx.push(100, ev);
    assert.equal(digits.length, 0);
    for (const ev of keyPress(5, 2)) rx.push(2000, ev);
    for (const ev of keyPress(6, 2).slice(0, 2)) rx.push(4000, ev);
    rx.flush();
    rx.flush();
    assert.deepEqual(
      digits.map((d) => [d.digit, d.ended, d.duration]),
      [
        ["4", false, 480],
        ["5", true, 320],
        ["6", false, 320],
      ],
    );
  });

  it("joins the segments of a long event (RFC 4733 §2.5.2.3) across the timestamp wrap", () => {
    const { rx, digits, starts } = receiver();
    const first = 0xffffff00;
    rx.push(first, { event: 0, end: false, volume: 5, duration: 30000 });
    rx.push(first, { event: 0, end: false, volume: 5, duration: 65535 });
    const second = (first + 65535) >>> 0;
    rx.push(second, { event: 0, end: false, volume: 5, duration: 1000 });
    rx.push(second, { event: 0, end: true, volume: 5, duration: 2000 });
    rx.push(second, { event: 0, end: true, volume: 5, duration: 2000 });
    rx.push(first, { event: 0, end: false, volume: 5, duration: 65535 }); // straggler
    assert.deepEqual(
      digits.map((d) => [d.digit, d.timestamp, d.duration, d.ended]),
      [["0", first, 67535, true]],
    );
    assert.deepEqual(starts, [0]);
  });

  it("starts over after reset (new SSRC)", () => {
    const { rx, digits } = receiver();
    for (const ev of keyPress(9, 1)) rx.push(8000, ev);
    rx.reset();
    for (const ev of keyPress(8, 1)) rx.push(160, ev); // older timestamp, but a new source
    assert.deepEqual(
      digits.map((d) => d.digit),
      ["9", "8"],
    );
  });
});

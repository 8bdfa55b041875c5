import assert from "node:assert/strict";
import { test } from "node:test";
import { RtpHeaderView } from "./header-view.ts";
import { isRtpParseError, parseRtp, serializeRtp } from "./packet.ts";

function agree(view: RtpHeaderView, buf: Buffer): void {
  const ok = view.read(buf);
  const p = parseRtp(buf);
  if (isRtpParseError(p)) {
    assert.equal(ok, false);
    assert.equal(view.error, p.error);
    return;
  }
  assert.equal(ok, true);
  assert.equal(view.error, null);
  assert.deepEqual(
    [view.marker, view.payloadType, view.sequence, view.timestamp, view.ssrc],
    [p.marker, p.payloadType, p.sequence, p.timestamp, p.ssrc],
  );
  assert.deepEqual(buf.subarray(view.payloadOffset, view.payloadEnd), p.payload);
}

test("reads the same fields and payload range as parseRtp, CSRCs, extension and padding skipped", () => {
  const view = new RtpHeaderView();
  const buf = serializeRtp({
    payloadType: 8,
    sequence: 65535,
    timestamp: 0xfffffff0,
    ssrc: 0xcafebabe,
    marker: true,
    csrc: [1, 2],
    extension: { profile: 0xbede, data: new Uint8Array(8) },
    paddingBytes: 3,
    payload: Uint8Array.of(1, 2, 3, 4, 5),
  });
  agree(view, buf);
  assert.equal(view.payloadEnd - view.payloadOffset, 5);
  assert.equal(view.ssrc, 0xcafebabe);
});

test("agrees with parseRtp on random and mutated datagrams", () => {
  const view = new RtpHeaderView();
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const valid = serializeRtp({
    payloadType: 0,
    sequence: 1,
    timestamp: 2,
    ssrc: 3,
    csrc: [9],
    extension: { profile: 1, data: new Uint8Array(4) },
    payload: new Uint8Array(20),
  });
  for (let i = 0; i < 20000; i++) {
    const buf = i % 2 ? Buffer.from(valid) : Buffer.alloc(rnd(40));
    for (let j = rnd(4); j > 0 && buf.length > 0; j--) buf[rnd(buf.length)] = rnd(256);
    if (i % 4 === 0 && buf.length > 0) buf[0] = 0x80 | (buf[0]! & 0x3f);
    agree(view, buf);
  }
});

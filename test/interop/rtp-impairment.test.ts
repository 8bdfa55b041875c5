// RTP reordered, lost and duplicated on the way in — the recording has the
// right length, with the gaps filled. The caller is a SIP user agent of the test (our UAC on
// its own endpoint) whose RTP the test sends by hand so that it can impair it.

import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, test } from "node:test";
import { encodeUlaw } from "../../src/media/g711.ts";
import { FRAME_SAMPLES, generateTone } from "../../src/media/pcm.ts";
import { parseWav, wavToPcm16 } from "../../src/media/wav.ts";
import { serializeRtp } from "../../src/protocols/rtp/packet.ts";
import { parseSdp } from "../../src/protocols/sdp/index.ts";
import { DialogRegistry } from "../../src/protocols/sip/dialog/registry.ts";
import { SipEndpoint } from "../../src/protocols/sip/endpoint.ts";
import { placeCall } from "../../src/protocols/sip/usage/invite-client.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";

let t: TestApp;
let caller: SipEndpoint;
let media: Socket;

before(async () => {
  t = await startTestApp({ rtpPortCount: 10, sip: { listen: "127.0.0.1:0" } });
  await t.addUser({ id: "alice", phones: ["+15550001"], password: "wonderland" });
  caller = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 } });
  await caller.start();
  media = createSocket("udp4");
  await new Promise<void>((resolve) => media.bind(0, "127.0.0.1", resolve));
});

after(async () => {
  media?.close();
  await caller?.stop();
  await t?.stop();
});

test("reordered, lost and duplicated RTP: right length, gaps filled", {
  timeout: 30_000,
}, async () => {
  const sip = t.app.ports.sip!;
  const offer = [
    "v=0",
    "o=caller 1 1 IN IP4 127.0.0.1",
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio ${media.address().port} RTP/AVP 0 101`,
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:101 telephone-event/8000",
    "",
  ].join("\r\n");
  const session = await placeCall({
    endpoint: caller,
    dialogs: new DialogRegistry(caller),
    uri: `sip:15550001@127.0.0.1:${sip.port}`,
    dest: { host: "127.0.0.1", port: sip.port, transport: "udp" },
    from: { uri: "sip:15551234@127.0.0.1" },
    localContact: `sip:15551234@127.0.0.1:${caller.localAddress("udp")!.port}`,
    offer: Buffer.from(offer),
  });
  const answer = parseSdp(session.answer);
  assert.ok(answer.ok);
  const remotePort = answer.value.media[0]!.port;

  // Skip the greeting (#), then give the beep its time.
  const info = session.dialog.request("INFO", {
    body: Buffer.from("Signal=#\r\nDuration=160\r\n"),
    contentType: "application/dtmf-relay",
  });
  assert.equal((await caller.sendRequest(info, session.dialog.state.destination)).status, 200);
  await new Promise((r) => setTimeout(r, 700));

  // 150 frames (3 s) of tone; impairments: frames 20–21, 60–61, 100–101 swapped; 40, 80, 120
  // lost; 30, 70, 110 sent twice.
  const FRAMES = 150;
  const tone = generateTone(600, FRAMES * 20, 8000, 0.4);
  const order: number[] = [];
  for (let i = 0; i < FRAMES; i++) {
    if ([40, 80, 120].includes(i)) continue;
    order.push(i);
    if ([30, 70, 110].includes(i)) order.push(i);
  }
  for (const a of [20, 60, 100]) {
    const at = order.indexOf(a);
    [order[at], order[at + 1]] = [order[at + 1]!, order[at]!];
  }
  const ssrc = 0x1234abcd;
  const start = Date.now();
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const payload = new Uint8Array(FRAME_SAMPLES);
    encodeUlaw(tone.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES), payload);
    const packet = serializeRtp({
      payloadType: 0,
      sequence: 1000 + i,
      timestamp: 5000 + i * FRAME_SAMPLES,
      ssrc,
      marker: i === 0,
      payload,
    });
    media.send(packet, remotePort, "127.0.0.1");
    const due = start + (k + 1) * 20 - Date.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
  }
  await new Promise((r) => setTimeout(r, 100));
  await session.hangup();

  const [vm] = await t.app.store.voicemail.list("alice");
  assert.ok(vm, "a voicemail was recorded");
  assert.equal(vm.durationMs, FRAMES * 20, "every frame is there, lost ones filled");
  const recorded = wavToPcm16(parseWav((await t.app.store.audio.get(vm.audioId))!.data));
  assert.equal(recorded.length, FRAMES * FRAME_SAMPLES);
  for (const lost of [40, 80, 120]) {
    const frame = recorded.subarray(lost * FRAME_SAMPLES, (lost + 1) * FRAME_SAMPLES);
    assert.ok(
      frame.every((s) => s === 0),
      `frame ${lost} is filled with silence`,
    );
  }
  // The swapped frames are back in order: frame 20 holds the tone of frame 20.
  const expect = new Int16Array(FRAME_SAMPLES);
  const enc = new Uint8Array(FRAME_SAMPLES);
  encodeUlaw(tone.subarray(20 * FRAME_SAMPLES, 21 * FRAME_SAMPLES), enc);
  const { decodeUlaw } = await import("../../src/media/g711.ts");
  decodeUlaw(enc, expect);
  assert.deepEqual(recorded.subarray(20 * FRAME_SAMPLES, 21 * FRAME_SAMPLES), expect);
});

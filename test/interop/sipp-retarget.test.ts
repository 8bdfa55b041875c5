// Forwarded calls from sipp (test/interop/sipp/forwarded.xml) to the voicemail pilot, which is
// also the access number: Diversion (RFC 5806), History-Info (RFC 7044) and the RFC 4458
// `target`/`cause` Request-URI each file the message in the right box with the dialled number
// as dnis (and in the mail's "To:"); cause 486 plays the busy greeting, 408 the unavailable one,
// checked on the RTP omnivox sends to the caller (cross-correlated with each greeting). sipp's
// address is a trusted proxy here: its P-Asserted-Identity names the caller (RFC 3325).

import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Prompts } from "../../src/adapters/telephone/prompts.ts";
import { greetingAudioId } from "../../src/adapters/voicemail/store.ts";
import { decodeUlaw, encodeUlaw } from "../../src/media/g711.ts";
import { crossCorrelate, generateSweep } from "../../src/media/pcm.ts";
import { pcm16ToWav } from "../../src/media/wav.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";

const sipp = peer("sipp", "sip-tester");
const PILOT = "8500";
const AUDIO_MS = 2000;
let sink: SmtpSink;
let t: TestApp;
let work: string;
let audioFile: string;
// Two greetings nothing else sounds like: sweeps over different bands.
const busyGreeting = generateSweep(300, 1200, 1500, 8000, 0.5);
const unavailableGreeting = generateSweep(1800, 3200, 1500, 8000, 0.5);

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-retarget-"));
  sink = await startSmtpSink();
  t = await startTestApp({
    smtpOutPort: sink.port,
    sip: {
      listen: "127.0.0.1:0",
      domain: "pbx.example.com",
      accessNumber: PILOT,
      trustedProxies: ["127.0.0.1"],
    },
  });
  await t.addUser({ id: "alice", emails: ["alice@example.com"], phones: ["1001"], pin: "123456" });
  await t.addUser({ id: "bob", phones: ["1002"], pin: "123456" });
  await t.addUser({ id: "carol", phones: ["+15550003"], pin: "123456" });
  const store = t.app.store.audio;
  await store.put(greetingAudioId("carol"), pcm16ToWav(unavailableGreeting, 8000), "audio/wav");
  await store.put(greetingAudioId("carol", "busy"), pcm16ToWav(busyGreeting, 8000), "audio/wav");
  const caller = generateSweep(400, 2500, AUDIO_MS, 8000, 0.5);
  const ulaw = new Uint8Array(caller.length);
  encodeUlaw(caller, ulaw);
  audioFile = join(work, "caller.ulaw");
  await writeFile(audioFile, ulaw);
});

after(async () => {
  await t?.stop();
  await sink?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

interface Forwarded {
  ruri: string;
  headers?: string[];
  /** Our own socket for the call's audio towards the caller (what the caller hears). */
  listen?: Socket;
  /** Keep the greeting: an ignored digit, and time to hear it before speaking. */
  hearGreeting?: boolean;
  /** The digit sent by INFO after the answer (default "#", or "5" with hearGreeting). */
  signal?: string;
  /** How long after the digit sipp starts speaking (its RTP then takes omnivox's audio along). */
  waitMs?: number;
}

async function forwardedCall(call: Forwarded) {
  const sip = t.app.ports.sip!;
  const rtpPort = call.listen ? String(call.listen.address().port) : "[media_port]";
  const run = await runSipp(sipp.path!, sip, "forwarded.xml", {
    service: PILOT,
    keys: { caller: "15551234" },
    template: {
      ruri: call.ruri.replace("{sip}", `${sip.host}:${sip.port}`),
      headers: (call.headers ?? ["Subject: forwarded"]).join("\n      "),
      rtp_port: rtpPort,
      signal: call.signal ?? (call.hearGreeting ? "5" : "#"),
      wait_ms: String(call.waitMs ?? (call.hearGreeting ? 3500 : 1000)),
      audio: audioFile,
      audio_ms: String(AUDIO_MS + 300),
    },
    workDir: work,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
}

/** A socket that keeps the µ-law payloads it receives (RTP, RFC 3550 §5.1), decoded. */
async function rtpListener(): Promise<{ socket: Socket; heard: () => Int16Array }> {
  const socket = createSocket("udp4");
  const chunks: Int16Array[] = [];
  socket.on("message", (buf) => {
    if (buf.length < 12 || buf[0]! >> 6 !== 2 || (buf[1]! & 0x7f) !== 0) return;
    const cc = buf[0]! & 0x0f;
    let offset = 12 + cc * 4;
    if (buf[0]! & 0x10) offset += 4 + buf.readUInt16BE(offset + 2) * 4;
    const payload = buf.subarray(offset);
    const pcm = new Int16Array(payload.length);
    decodeUlaw(payload, pcm);
    chunks.push(pcm);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    socket,
    heard: () => {
      const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      return out;
    },
  };
}

async function newestMessage(userId: string) {
  const list = await t.app.store.voicemail.list(userId);
  return list.sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime())[0];
}

test("Diversion to the pilot: alice's box, dnis 1001, and the mail says To: 1001", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  await forwardedCall({
    ruri: `sip:${PILOT}@{sip}`,
    headers: ["Diversion: <sip:1001@pbx.example.com>;reason=no-answer;privacy=off;screen=no"],
  });
  const vm = await newestMessage("alice");
  assert.ok(vm, "the message is in alice's box");
  assert.equal(vm.dnis, "1001");
  assert.equal(vm.ani, "15551234");
  const [mail] = await sink.waitFor(1);
  assert.deepEqual(mail?.to, ["alice@example.com"]);
  assert.match(String(mail?.parsed.text), /^To:\s+1001$/m);
  assert.doesNotMatch(String(mail?.parsed.text), /8500/);
});

test("History-Info (RFC 7044) to the pilot: bob's box, dnis the number dialled", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  // The caller dialled 1002; bob's phone did not answer (408), the proxy mapped the call to
  // the pilot. No RFC 4458 parameters: the box is the entry the pilot was mapped from.
  await forwardedCall({
    ruri: `sip:${PILOT}@{sip}`,
    headers: [
      "History-Info: <sip:1002@pbx.example.com>;index=1",
      "History-Info: <sip:1002@192.0.2.31?Reason=SIP%3Bcause%3D408%3Btext%3D%22Request%20Timeout%22>;index=1.1;rc=1",
      "History-Info: <sip:8500@pbx.example.com;cause=408>;index=1.2;mp=1",
    ],
  });
  const vm = await newestMessage("bob");
  assert.ok(vm, "the message is in bob's box, not a 404");
  assert.equal(vm.dnis, "1002");
});

test("RFC 4458 target and cause=486: carol's box, and the caller hears her busy greeting", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const rtp = await rtpListener();
  try {
    await forwardedCall({
      ruri: `sip:${PILOT}@{sip};target=sip:%2B15550003%40pbx.example.com;cause=486`,
      listen: rtp.socket,
      hearGreeting: true,
    });
  } finally {
    rtp.socket.close();
  }
  const vm = await newestMessage("carol");
  assert.ok(vm, "the message is in carol's box");
  assert.equal(vm.dnis, "+15550003");
  const heard = rtp.heard();
  assert.ok(heard.length >= busyGreeting.length, `heard only ${heard.length} samples`);
  const busy = crossCorrelate(busyGreeting, heard, 8000);
  const unavailable = crossCorrelate(unavailableGreeting, heard, 8000);
  assert.ok(
    busy.coefficient > 0.9,
    `the busy greeting: correlation ${busy.coefficient.toFixed(3)} at lag ${busy.lag}`,
  );
  assert.ok(
    unavailable.coefficient < 0.3,
    `not the unavailable one: correlation ${unavailable.coefficient.toFixed(3)}`,
  );
});

test("cause=408 (no answer) plays the unavailable greeting", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const rtp = await rtpListener();
  try {
    await forwardedCall({
      ruri: `sip:${PILOT}@{sip};target=sip:%2B15550003%40pbx.example.com;cause=408`,
      listen: rtp.socket,
      hearGreeting: true,
    });
  } finally {
    rtp.socket.close();
  }
  const heard = rtp.heard();
  const unavailable = crossCorrelate(unavailableGreeting, heard, 8000);
  const busy = crossCorrelate(busyGreeting, heard, 8000);
  assert.ok(unavailable.coefficient > 0.9, `correlation ${unavailable.coefficient.toFixed(3)}`);
  assert.ok(busy.coefficient < 0.3, `not the busy one: ${busy.coefficient.toFixed(3)}`);
});

test("a trusted proxy's P-Asserted-Identity is the caller number stored", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const before = (await t.app.store.voicemail.list("bob")).length;
  await forwardedCall({
    ruri: "sip:1002@{sip}",
    headers: ['P-Asserted-Identity: "Dana" <tel:+15559876>'],
  });
  const box = await t.app.store.voicemail.list("bob");
  assert.equal(box.length, before + 1);
  const vm = await newestMessage("bob");
  assert.equal(vm?.ani, "+15559876", "the asserted number, not From's 15551234");
  assert.equal(vm?.dnis, "1002");
});

test("a trusted proxy asserting alice calling her own number reaches her mailbox, unchallenged", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const before = (await t.app.store.voicemail.list("alice")).length;
  const rtp = await rtpListener();
  try {
    // "#" answers the first PIN prompt with nothing: "bad PIN", and the PIN is asked again;
    // sipp is heard only after that (its RTP moves omnivox's audio to its own port).
    await forwardedCall({
      ruri: "sip:1001@{sip}",
      headers: ["P-Asserted-Identity: <sip:alice@pbx.example.com>"],
      listen: rtp.socket,
      hearGreeting: true,
      signal: "#",
      waitMs: 7000,
    });
  } finally {
    rtp.socket.close();
  }
  const prompts = await Prompts.load();
  const heard = rtp.heard();
  const bad = crossCorrelate(prompts.get("bad-pin"), heard, 16_000);
  assert.ok(bad.coefficient > 0.9, `the bad-PIN prompt: correlation ${bad.coefficient.toFixed(3)}`);
  // After it, the PIN prompt again, whole.
  const again = heard.subarray(Math.max(0, bad.lag) + prompts.get("bad-pin").length);
  const pin = crossCorrelate(prompts.get("enter-pin"), again, 4000);
  assert.ok(pin.coefficient > 0.9, `the PIN prompt: correlation ${pin.coefficient.toFixed(3)}`);
  assert.equal((await t.app.store.voicemail.list("alice")).length, before, "no message left");
});

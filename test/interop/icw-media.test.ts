// ICW audio: a text reply is heard by the sipp caller before recording; screening
// streams while sipp still sends; a takeover reaches a second sipp that gets the caller's audio.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { rms } from "../../src/media/pcm.ts";
import { parseWav, wavToPcm16 } from "../../src/media/wav.ts";
import { peer } from "../support/peers.ts";
import { freeUdpPort, runSipp, type SippRun } from "../support/sipp.ts";
import { until } from "../support/until.ts";
import type { StreamEvent } from "../support/web-client.ts";
import {
  callerAudio,
  type IcwApp,
  readToEnd,
  readUntil,
  rtpProbe,
  startIcwApp,
  VOICED_RMS,
} from "./icw-support.ts";

const sipp = peer("sipp", "sip-tester");
let app: IcwApp;
let work: string;
let phonePort: number;

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-icw-media-"));
  phonePort = await freeUdpPort();
  // Long enough that a choice is always made in time; tel: takeovers go to the sipp "phone".
  app = await startIcwApp({ decideMs: 20_000, outboundProxy: `127.0.0.1:${phonePort}` });
});

after(async () => {
  await app?.client.close();
  await app?.t.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const update = (callId: unknown, state: string) => (e: StreamEvent) =>
  e.type === "call-update" && e.callId === callId && e.state === state;

function call(template: Record<string, string>): Promise<SippRun> {
  return runSipp(sipp.path!, app.t.app.ports.sip!, "icw-call.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template,
    workDir: work,
  });
}

function screen(path: unknown, query = `?token=${app.token}`): Promise<Response> {
  return fetch(`http://127.0.0.1:${app.t.app.ports.http!.port}${String(path)}${query}`);
}

test("reply with text: the caller hears speech before the recording starts", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const { t, client } = app;
  const since = client.events.length;
  // Omnivox plays to the port in the caller's SDP until the caller's own audio moves it (latching).
  const ear = await rtpProbe();
  try {
    // The caller speaks only after the reply: its first packet moves omnivox's audio to sipp.
    const audio = await callerAudio(work, 4000);
    const run = call({ sdp_port: String(ear.port), audio, wait_ms: "4000", audio_ms: "4300" });
    const alert = await client.waitFor((e) => e.type === "call-alert", 15_000, since);
    const text = "I am in a meeting. Please leave a message after the tone.";
    client.send({ type: "call-action", callId: alert.callId, action: "reply", text });

    await client.waitFor(update(alert.callId, "recording"), 30_000, since);
    // The beep starts with the recording: a quarter second, 12 packets. Speech is far more.
    const heard = ear.voiced();
    assert.ok(heard >= 50, `${heard} voiced RTP packets reached the caller before the recording`);

    const result = await run;
    assert.equal(result.code, 0, `sipp failed:\n${result.errors}\n${result.output.slice(-2000)}`);
    const vm = (await t.app.store.voicemail.list("alice")).find((m) => m.id === alert.callId);
    assert.ok(vm, "after the reply the message was recorded as a normal deposit");
    const icw = await t.app.store.communications.findByNativeId("icw", `${alert.callId}#reply`);
    assert.ok(icw?.kind === "icw" && icw.body.text.includes(text), "the reply text is routed");
  } finally {
    await ear.close();
  }
});

test("screening streams the recording as WAV while the caller is still speaking", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const { client } = app;
  const since = client.events.length;
  const audio = await callerAudio(work, 6000);
  let sippDone = false;
  const run = call({ sdp_port: "[media_port]", audio, wait_ms: "500", audio_ms: "6300" }).then(
    (r) => {
      sippDone = true;
      return r;
    },
  );
  const alert = await client.waitFor((e) => e.type === "call-alert", 15_000, since);
  client.send({ type: "call-action", callId: alert.callId, action: "voicemail" });
  const recording = await client.waitFor(update(alert.callId, "recording"), 15_000, since);

  // Bad input first: no token, and another user's token, find nothing to stream.
  assert.equal((await screen(recording.screenUrl, "")).status, 401);
  await app.t.addUser({ id: "mallory", password: "not-alice" });
  const other = await app.t.login("mallory", "not-alice");
  assert.equal((await screen(recording.screenUrl, `?token=${other}`)).status, 404);
  assert.equal((await screen("/api/v1/calls/no-such-call/screen")).status, 404);

  const res = await screen(recording.screenUrl);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "audio/wav");
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  // The header plus a second of 8 kHz 16-bit audio.
  assert.ok(await readUntil(reader, chunks, (n) => n >= 44 + 16_000), "the stream ended early");
  assert.equal(sippDone, false, "audio arrived while the caller was still sending");
  assert.ok(!client.events.some(update(alert.callId, "ended")), "the call was still under way");

  // The stream ends with the recording (else the test times out here).
  await readToEnd(reader, chunks);
  const result = await run;
  assert.equal(result.code, 0, `sipp failed:\n${result.errors}\n${result.output.slice(-2000)}`);
  const wav = parseWav(Buffer.concat(chunks), { allowTruncated: true });
  assert.equal(wav.sampleRate, 8000);
  assert.equal(wav.encoding, "pcm16");
  const pcm = wavToPcm16(wav);
  assert.ok(rms(pcm) >= VOICED_RMS, `the screened audio is the caller's voice (RMS ${rms(pcm)})`);
});

test("takeover: a second sipp phone gets the call and the caller's audio; the start is kept", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const { t, client } = app;
  const since = client.events.length;
  const phoneEar = await rtpProbe();
  try {
    const phone = runSipp(sipp.path!, undefined, "icw-answer.xml", {
      service: "x",
      port: phonePort,
      template: { media_port: String(phoneEar.port), caller: "15551234" },
      workDir: work,
    });
    const audio = await callerAudio(work, 8000);
    const caller = call({ sdp_port: "[media_port]", audio, wait_ms: "500", audio_ms: "8300" });
    const alert = await client.waitFor((e) => e.type === "call-alert", 15_000, since);
    const callId = alert.callId;
    client.send({ type: "call-action", callId, action: "voicemail" });
    const recording = await client.waitFor(update(callId, "recording"), 15_000, since);

    // Take over once two seconds of the caller's voice are recorded, so that the message is kept
    // (at least `minMessageMs` of it, voiced). Counted in voiced frames, not bytes: on a loaded
    // machine the line's clock fills missing packets with silence the deposit does not record.
    const res = await screen(recording.screenUrl);
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    assert.ok(await readUntil(reader, chunks, () => voicedMs(chunks) >= 2000));
    client.send({ type: "call-action", callId, action: "takeover", to: "tel:+15550002" });
    await client.waitFor(update(callId, "taken-over"), 20_000, since);
    // Screening ends with the takeover (else the test times out here).
    await readToEnd(reader, chunks);

    // The phone hears the caller: the sweep sipp streams, relayed through omnivox.
    await phoneEar.waitVoiced(50);
    const [callerRun, phoneRun] = await Promise.all([caller, phone]);
    assert.equal(callerRun.code, 0, `caller sipp:\n${callerRun.errors}\n${callerRun.output}`);
    assert.equal(phoneRun.code, 0, `phone sipp:\n${phoneRun.errors}\n${phoneRun.output}`);
    await client.waitFor(update(callId, "ended"), 10_000, since);

    // "ended" is the call's state; the kept recording is deposited after it, so wait for the row.
    const vm = await until(
      "the kept recording in alice's box",
      async () => (await t.app.store.voicemail.list("alice")).find((m) => m.id === callId),
      10_000,
    ).catch(() => undefined);
    assert.ok(vm, "what was recorded before the takeover is kept as a voicemail");
    assert.ok(vm.durationMs < 7000, `the recording stopped at the takeover (${vm.durationMs} ms)`);
    const icw = await t.app.store.communications.findByNativeId("icw", `${callId}#takeover`);
    assert.ok(icw?.kind === "icw" && /Taken over to tel:\+15550002/.test(icw.body.text));
  } finally {
    await phoneEar.close();
  }
});

/** How much of a screened WAV stream (header then 8 kHz 16-bit PCM) is voiced, in 20 ms frames. */
function voicedMs(chunks: Uint8Array[]): number {
  const bytes = Buffer.concat(chunks).subarray(44);
  const frame = 320;
  let ms = 0;
  for (let at = 0; at + frame <= bytes.length; at += frame) {
    const pcm = new Int16Array(frame / 2);
    for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(at + i * 2);
    if (rms(pcm) >= VOICED_RMS) ms += 20;
  }
  return ms;
}

// SRTP with SDES keys against baresip's srtp module: a caller offering RTP/SAVP (`mediaenc=
// srtp-mand`) leaves a message that matches what it sent on an omnivox with `sip.srtp: require`,
// which refuses sipp's plain RTP with 488; on the default `offer` a plain sipp deposit still works,
// baresip with best-effort SRTP (`mediaenc=srtp`, RTP/AVP + a=crypto) hears it by PIN, and
// omnivox's own call to that phone (our offer, RTP/AVP + a=crypto) plays a message over SRTP.

import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { encodeUlaw } from "../../src/media/g711.ts";
import { crossCorrelate, generateSweep, rms } from "../../src/media/pcm.ts";
import { parseWav, pcm16ToWav, readWavFile, wavToPcm16 } from "../../src/media/wav.ts";
import { type Baresip, startBaresip } from "../support/baresip.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";

const baresipBin = peer("baresip", "baresip");
const sipp = peer("sipp", "sip-tester");
const skip = baresipBin.skip ?? sipp.skip;
const phones: Baresip[] = [];
let offering: TestApp;
let requiring: TestApp;
let work: string;
/** alice's baresip on the `offer` omnivox, registered by the mailbox test, answering on its own. */
let alicePhone: Baresip | undefined;
let aliceRecordings = "";
/** alice's SIP secret on the offering omnivox (each instance makes its own). */
let aliceSip = "";

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-srtp-"));
  offering = await startTestApp({
    sip: { listen: "127.0.0.1:0", domain: "127.0.0.1", accessNumber: "8000" },
  });
  requiring = await startTestApp({
    sip: { listen: "127.0.0.1:0", domain: "127.0.0.1", srtp: "require" },
  });
  const alice = {
    id: "alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
    pin: "123456",
  };
  aliceSip = (await offering.addUser(alice)).sipSecret;
  await requiring.addUser(alice);
});

after(async () => {
  for (const p of phones) await p.stop();
  await offering?.stop();
  await requiring?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function phone(options: Parameters<typeof startBaresip>[0]): Promise<Baresip> {
  const p = await startBaresip(options);
  phones.push(p);
  return p;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One period of the caller's signal: a 1 s sweep, distinctive at every lag within it. */
const PERIOD = generateSweep(300, 3000, 1000, 8000, 0.5);

test("require: baresip's RTP/SAVP call is deposited, and the message is what baresip sent", {
  skip,
  timeout: 120_000,
}, async () => {
  const mic = new Int16Array(8000 * 40);
  for (let at = 0; at < mic.length; at += PERIOD.length) mic.set(PERIOD, at);
  const micFile = join(work, "sweep.wav");
  await writeFile(micFile, pcm16ToWav(mic, 8000));
  const sip = requiring.app.ports.sip!;
  const bob = await phone({
    binary: baresipBin.path!,
    account: {
      user: "bob",
      domain: "127.0.0.1",
      password: "unused",
      outbound: { host: "127.0.0.1", port: sip.port },
      regint: 0,
      mwi: false,
      params: ["mediaenc=srtp-mand"],
    },
    modules: ["srtp.so"],
    audioSource: `aufile,${micFile}`,
    sipTrace: true,
  });
  bob.command(`/dial sip:15550001@127.0.0.1:${sip.port}`);
  await bob.waitFor(/Call established|established/i, 20_000);
  const enabled = await bob.waitFor(/SRTP is Enabled \(cryptosuite=(\S+)\)/, 10_000);
  assert.match(enabled[1]!, /^AES_CM_128_HMAC_SHA1_(80|32)$/);
  // omnivox's answer is RTP/SAVP with one key of its own for the suite baresip offered first.
  const ok = bob.output().slice(bob.output().indexOf("SIP/2.0 200 OK"));
  assert.match(ok, /m=audio \d+ RTP\/SAVP /);
  assert.match(ok, /a=crypto:\d+ AES_CM_128_HMAC_SHA1_(80|32) inline:[A-Za-z0-9+/]{40}\r?\n/);
  // Greeting and beep, then about 6 s of message.
  await sleep(12_000);
  bob.command("b");
  let messages = await requiring.app.store.voicemail.list("alice");
  for (let i = 0; i < 100 && messages.length === 0; i++) {
    await sleep(200);
    messages = await requiring.app.store.voicemail.list("alice");
  }
  assert.equal(messages.length, 1, "the SRTP call left one message");
  assert.doesNotMatch(bob.output(), /failed to decrypt/, "baresip could decrypt what we sent");
  const blob = await requiring.app.store.audio.get(messages[0]!.audioId);
  assert.ok(blob);
  const recorded = wavToPcm16(parseWav(blob.data));
  assert.ok(recorded.length > 8000 * 2, `only ${recorded.length} samples recorded`);
  assert.ok(rms(recorded) > 1000, `recording is near silence (rms ${rms(recorded).toFixed(0)})`);
  // Half a second from inside the recording lines up with the sweep at some phase.
  const chunk = recorded.subarray(8000, 12000);
  const twoPeriods = new Int16Array(PERIOD.length * 2);
  twoPeriods.set(PERIOD);
  twoPeriods.set(PERIOD, PERIOD.length);
  const match = crossCorrelate(chunk, twoPeriods, PERIOD.length + 4000);
  assert.ok(match.coefficient > 0.9, `correlation ${match.coefficient.toFixed(3)}`);
});

test("require: a plain RTP/AVP offer from sipp gets 488 saying SRTP is required", {
  skip,
  timeout: 60_000,
}, async () => {
  const dir = join(work, "refused");
  await mkdir(dir);
  const kept = (await requiring.app.store.voicemail.list("alice")).length;
  const run = await runSipp(sipp.path!, requiring.app.ports.sip!, "refused-plain.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    workDir: dir,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
  assert.equal((await requiring.app.store.voicemail.list("alice")).length, kept);
});

test("offer: a plain deposit works, and baresip with best-effort SRTP hears it by PIN", {
  skip,
  timeout: 150_000,
}, async () => {
  const dir = join(work, "offer");
  const recordDir = join(dir, "recordings");
  await mkdir(recordDir, { recursive: true });
  const audio = generateSweep(400, 2500, 2000, 8000, 0.5);
  const ulaw = new Uint8Array(audio.length);
  encodeUlaw(audio, ulaw);
  const audioFile = join(dir, "caller.ulaw");
  await writeFile(audioFile, ulaw);
  const sip = offering.app.ports.sip!;
  const run = await runSipp(sipp.path!, sip, "deposit.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template: { audio: audioFile, audio_ms: "2300" },
    workDir: dir,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}`);
  assert.equal((await offering.app.store.voicemail.list("alice")).length, 1);

  const micFile = join(dir, "mic.wav");
  await writeFile(micFile, pcm16ToWav(new Int16Array(8000 * 60), 8000));
  const alice = await phone({
    binary: baresipBin.path!,
    account: {
      user: "alice",
      domain: "127.0.0.1",
      password: aliceSip,
      outbound: { host: "127.0.0.1", port: sip.port },
      mwi: false,
      params: ["mediaenc=srtp", "answermode=auto"],
    },
    modules: ["srtp.so"],
    recordDir,
    audioSource: `aufile,${micFile}`,
    sipTrace: true,
  });
  await alice.waitFor(/alice@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK/, 15_000);
  alicePhone = alice;
  aliceRecordings = recordDir;
  const before = alice.output().length;
  alice.command(`/dial sip:8000@127.0.0.1:${sip.port}`);
  await alice.waitFor(/Call established|established/i, 20_000);
  await alice.waitFor(/SRTP is Enabled/, 10_000);
  const ok = alice.output().slice(alice.output().indexOf("SIP/2.0 200 OK", before));
  assert.match(ok, /m=audio \d+ RTP\/AVP /, "best effort stays in RTP/AVP");
  assert.match(ok, /a=crypto:\d+ AES_CM_128_HMAC_SHA1_(80|32) inline:/);
  await sleep(1500); // the PIN prompt starts
  // The PIN goes as RFC 4733 events inside SRTP.
  for (const key of "123456#") {
    alice.command(key);
    await sleep(250);
  }
  await sleep(20_000); // "1 new message", its envelope and the message itself
  alice.command("2");
  let states: string[] = [];
  for (let i = 0; i < 50; i++) {
    states = (await offering.app.store.voicemail.list("alice")).map((m) => m.state);
    if (states[0] === "saved") break;
    await sleep(200);
  }
  assert.deepEqual(states, ["saved"], "the PIN and the key 2 arrived through SRTP");
  alice.command("b");
  await sleep(1000);
  assert.doesNotMatch(alice.output(), /failed to decrypt/);
  const files = (await readdir(recordDir)).filter((f) => f.endsWith("-dec.wav"));
  assert.ok(files.length > 0, `baresip recorded nothing: ${await readdir(recordDir)}`);
  const received = wavToPcm16(
    await readWavFile(join(recordDir, files[0]!), { allowTruncated: true }),
  );
  assert.ok(received.length > 8000 * 5, `only ${received.length} samples received`);
  assert.ok(rms(received) > 200, `received audio is silence (rms ${rms(received).toFixed(1)})`);
});

test("offer: omnivox's own call offers a key, baresip takes it, and the message plays over SRTP", {
  skip,
  timeout: 90_000,
}, async () => {
  assert.ok(alicePhone, "the mailbox test registered alice's phone");
  const phone = alicePhone;
  const dumps = new Set(await readdir(aliceRecordings));
  const before = phone.output().length;
  const sent = generateSweep(300, 3000, 3000, 8000, 0.5);
  const token = await offering.login("alice", "wonderland");
  const res = await offering.api(
    "POST",
    "/messages",
    { to: "tel:+15550001", audio: Buffer.from(pcm16ToWav(sent, 8000)).toString("base64") },
    token,
  );
  assert.equal(res.status, 201, JSON.stringify(res.body));
  let states: string[] = [];
  for (let i = 0; i < 300; i++) {
    states = await offering.deliveries("alice");
    if (states.some((s) => s === "tel:+15550001 delivered")) break;
    await sleep(100);
  }
  assert.ok(states.includes("tel:+15550001 delivered"), `deliveries: ${states.join(", ")}`);
  const trace = phone.output().slice(before);
  const invite = trace.slice(trace.indexOf("INVITE sip:"));
  assert.match(invite, /m=audio \d+ RTP\/AVP /);
  assert.match(invite, /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}\r?\n/);
  assert.match(trace, /SRTP is Enabled \(cryptosuite=AES_CM_128_HMAC_SHA1_80\)/);
  assert.doesNotMatch(trace, /failed to decrypt/);
  await sleep(1000); // baresip closes its dump files after the BYE
  const file = (await readdir(aliceRecordings)).find(
    (f) => f.endsWith("-dec.wav") && !dumps.has(f),
  );
  assert.ok(file, "baresip recorded the call");
  const wav = await readWavFile(join(aliceRecordings, file), { allowTruncated: true });
  const heard = wavToPcm16(wav);
  assert.ok(rms(heard) > 1000, `heard near silence (rms ${rms(heard).toFixed(0)})`);
  assert.deepEqual([wav.sampleRate, wav.channels], [8000, 1]);
  const match = crossCorrelate(sent, heard, 8000);
  assert.ok(match.coefficient > 0.8, `correlation ${match.coefficient.toFixed(3)}`);
});

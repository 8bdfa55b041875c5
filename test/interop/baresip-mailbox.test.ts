// Against the whole gateway: baresip registers as alice's phone with digest
// auth, subscribes to MWI and shows the change from 0 to 1 new when sipp leaves a voicemail;
// then baresip calls the access number, keys the PIN as DTMF and receives the message's audio
// (recorded by baresip's sndfile module; checked not to be silence).

import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { encodeUlaw } from "../../src/media/g711.ts";
import { generateSweep, rms } from "../../src/media/pcm.ts";
import { pcm16ToWav, readWavFile, wavToPcm16 } from "../../src/media/wav.ts";
import { type Baresip, startBaresip } from "../support/baresip.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";

const baresipBin = peer("baresip", "baresip");
const sipp = peer("sipp", "sip-tester");
const skip = baresipBin.skip ?? sipp.skip;
let t: TestApp;
let phone: Baresip | undefined;
let work: string;
/** What alice's phone registers with: the SIP secret from her creation, not her web password. */
let aliceSip = "";

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-baresip-mbox-"));
  t = await startTestApp({
    sip: {
      listen: "127.0.0.1:0",
      domain: "127.0.0.1",
      accessNumber: "8000",
    },
  });
  ({ sipSecret: aliceSip } = await t.addUser({
    id: "alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
    pin: "123456",
  }));
});

after(async () => {
  await phone?.stop();
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test("baresip registers, sees MWI go from 0 to 1, and hears the message by PIN", {
  skip,
  timeout: 120_000,
}, async () => {
  const recordDir = join(work, "recordings");
  await mkdir(recordDir);
  // baresip's tone source runs at 48 kHz only; an 8 kHz file of near-silence matches G.711.
  const micFile = join(work, "mic.wav");
  await writeFile(micFile, pcm16ToWav(new Int16Array(8000 * 60), 8000));
  phone = await startBaresip({
    binary: baresipBin.path!,
    account: {
      user: "alice",
      domain: "127.0.0.1",
      password: aliceSip,
      outbound: { host: "127.0.0.1", port: t.app.ports.sip!.port },
    },
    recordDir,
    audioSource: `aufile,${micFile}`,
    sipTrace: process.env.OMNIVOX_TEST_SIP_TRACE === "1",
  });
  await phone.waitFor(/alice@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK/, 15_000);
  await phone.waitFor(/Messages-Waiting: no[\s\S]*Voice-Message: 0\/0/, 15_000);

  // A caller leaves a message with sipp.
  const audio = generateSweep(400, 2500, 2000, 8000, 0.5);
  const ulaw = new Uint8Array(audio.length);
  encodeUlaw(audio, ulaw);
  const audioFile = join(work, "caller.ulaw");
  await writeFile(audioFile, ulaw);
  const run = await runSipp(sipp.path!, t.app.ports.sip!, "deposit.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template: { audio: audioFile, audio_ms: "2300" },
    workDir: work,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}`);
  await phone.waitFor(/Messages-Waiting: yes[\s\S]*Voice-Message: 1\/0/, 15_000);

  // Alice calls the access number from her phone and keys her PIN.
  const before = phone.output().length;
  phone.command(`/dial sip:8000@127.0.0.1:${t.app.ports.sip!.port}`);
  await phone.waitFor(/Call established|established/i, 15_000).catch((e) => {
    throw new Error(`${(e as Error).message.slice(0, 200)}\n...\n${phone?.output().slice(-3000)}`);
  });
  await new Promise((r) => setTimeout(r, 1500)); // the PIN prompt starts
  for (const key of "123456#") {
    phone.command(key);
    await new Promise((r) => setTimeout(r, 250));
  }
  // "You have 1 new message", the envelope (caller, time) and the message play, then the menu:
  // 2 saves it. Nothing is pressed before, so the whole message is heard first.
  await new Promise((r) => setTimeout(r, 20_000));
  phone.command("2");
  await phone.waitFor(/Messages-Waiting: no[\s\S]*Voice-Message: 0\/1/, 15_000);
  phone.command("b");
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(phone.output().length > before);

  // What baresip received (decoded) is not silence.
  const files = (await readdir(recordDir)).filter((f) => f.endsWith("-dec.wav"));
  assert.ok(files.length > 0, `baresip recorded nothing: ${await readdir(recordDir)}`);
  const received = wavToPcm16(
    await readWavFile(join(recordDir, files[0]!), { allowTruncated: true }),
  );
  assert.ok(received.length > 8000 * 5, `only ${received.length} samples received`);
  assert.ok(rms(received) > 200, `received audio is silence (rms ${rms(received).toFixed(1)})`);
  // The PIN was accepted and the menu reached after the message: it is saved now.
  const messages = await t.app.store.voicemail.list("alice");
  assert.deepEqual(
    messages.map((m) => m.state),
    ["saved"],
  );
});

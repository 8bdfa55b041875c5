// Voicemail mailed as MP3 and as Ogg Vorbis (a route's audioFormat): a sipp call leaves a 4 s
// message for each of two users; each mail at the SMTP sink carries the recording in the asked
// format, which the real decoders (Debian mpg123, oggdec) turn back into 4 s of 8 kHz sound, and
// its subject and text name the caller's name and number.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { rms } from "../../src/media/pcm.ts";
import { parseWav, wavToPcm16 } from "../../src/media/wav.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { callerAudio, runSipp } from "../support/sipp.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";

const run = promisify(execFile);
const sipp = peer("sipp", "sip-tester");
const mpg123 = peer("mpg123", "mpg123");
const oggdec = peer("oggdec", "vorbis-tools");
const skip = sipp.skip ?? mpg123.skip ?? oggdec.skip;
const AUDIO_MS = 4000;

let sink: SmtpSink;
let t: TestApp;
let work: string;

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-compressed-vm-"));
  sink = await startSmtpSink();
  t = await startTestApp({ smtpOutPort: sink.port, sip: { listen: "127.0.0.1:0" } });
  for (const [id, phone, audioFormat] of [
    ["alice", "+15550001", "mp3"],
    ["bob", "+15550002", "ogg"],
  ] as const) {
    await t.addUser({
      id,
      emails: [`${id}@example.com`],
      phones: [phone],
      password: "wonderland",
      routes: [{ from: "voicemail", to: ["email"], audioFormat }],
    });
  }
});

after(async () => {
  await t?.stop();
  await sink?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test("voicemail reaches mail as MP3 and as Ogg Vorbis of the message's length, naming the caller", {
  skip,
  timeout: 90_000,
}, async () => {
  const { file: audioFile } = await callerAudio(work, AUDIO_MS);
  for (const service of ["15550001", "15550002"]) {
    const call = await runSipp(sipp.path!, t.app.ports.sip!, "deposit.xml", {
      service,
      keys: { caller: "15557001" },
      template: { audio: audioFile, audio_ms: String(AUDIO_MS + 300) },
      workDir: work,
    });
    assert.equal(call.code, 0, `sipp failed:\n${call.errors}\n${call.output.slice(-2000)}`);
  }
  const mails = await sink.waitFor(2, 30_000);
  for (const [to, format, type, decode] of [
    ["alice@example.com", "mp3", "audio/mpeg", mpg123.path!],
    ["bob@example.com", "ogg", "audio/ogg", oggdec.path!],
  ] as const) {
    const mail = mails.find((m) => m.to.includes(to));
    assert.ok(mail, `no mail for ${to}`);
    assert.match(mail.parsed.subject ?? "", /Voicemail from Sipp Caller, 15557001/);
    assert.match(mail.parsed.text ?? "", /From: +Sipp Caller <15557001>/);
    const attachment = mail.parsed.attachments.find((a) => a.contentType === type);
    assert.ok(
      attachment,
      `${to}: attachments ${mail.parsed.attachments.map((a) => a.contentType)}`,
    );
    assert.match(attachment.filename ?? "", new RegExp(`^voicemail-.*\\.${format}$`));
    const input = join(work, `vm.${format}`);
    const output = join(work, `vm-${format}.wav`);
    await writeFile(input, attachment.content);
    await run(decode, format === "mp3" ? ["-q", "-w", output, input] : ["-Q", "-o", output, input]);
    const wav = parseWav(await readFile(output), { allowTruncated: true });
    assert.equal(wav.sampleRate, 8000);
    // The stored message is the call's audio from the beep to the hang-up: about what was sent.
    assert.ok(Math.abs(wav.durationMs - AUDIO_MS) < 600, `${format}: ${wav.durationMs} ms`);
    assert.ok(rms(wavToPcm16(wav)) > 500, `${format}: silence`);
  }
});

// A phone on TCP only (linphone-cli 5.1, UDP and TLS switched off): bob's linphone registers
// over TCP and leaves a message for alice (its microphone a WAV tone; the recording kept is not
// silence); alice's linphone, also TCP only, gets the MWI NOTIFY over its registration's
// connection, calls the access number, keys her PIN and hears the message. Our Contact names
// ;transport=tcp and the TCP listener's port, so the phones' ACK and BYE reach us. Last, a voice
// message for bob's number rings his phone over the TCP connection it registered on.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { generateSweep, rms } from "../../src/media/pcm.ts";
import { parseWav, pcm16ToWav, readWavFile, wavToPcm16 } from "../../src/media/wav.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { type Linphone, startLinphone } from "../support/linphone.ts";
import { peer } from "../support/peers.ts";

const linphonec = peer("linphonec", "linphone-cli");
const skip = linphonec.skip;
let t: TestApp;
let work: string;
const phones: Linphone[] = [];

const secret: Record<string, string> = {};

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-linphone-tcp-"));
  t = await startTestApp({
    sip: {
      listen: "127.0.0.1:0",
      domain: "127.0.0.1",
      accessNumber: "8000",
      unsolicitedMwi: true,
    },
  });
  // Phones register with the SIP secret each user is given, never the web password.
  secret.alice = (
    await t.addUser({ id: "alice", phones: ["+15550001"], password: "wonderland", pin: "123456" })
  ).sipSecret;
  secret.bob = (
    await t.addUser({ id: "bob", phones: ["+15550002"], password: "builder1" })
  ).sipSecret;
});

after(async () => {
  await Promise.allSettled(phones.map((p) => p.stop()));
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function phone(
  user: string,
  password: string,
  playFile: string,
  autoAnswer = false,
): Promise<Linphone> {
  const p = await startLinphone({
    autoAnswer,
    binary: linphonec.path!,
    user,
    domain: "127.0.0.1",
    password,
    proxy: { host: "127.0.0.1", port: t.app.ports.sip!.port, transport: "tcp" },
    playFile,
    recordFile: join(work, `${user}-heard.wav`),
  });
  phones.push(p);
  return p;
}

test("linphone over TCP only: register, deposit, MWI, mailbox", {
  skip,
  timeout: 180_000,
}, async () => {
  const sip = t.app.ports.sip!;
  const tone = join(work, "tone.wav");
  // A sweep as the caller's voice, long enough to outlast greeting, beep and a few seconds.
  await writeFile(tone, pcm16ToWav(generateSweep(300, 3000, 40_000, 8000, 0.5), 8000));
  const quiet = join(work, "quiet.wav");
  await writeFile(quiet, pcm16ToWav(new Int16Array(8000 * 60), 8000));

  const bob = await phone("bob", secret.bob!, tone, true);
  const alice = await phone("alice", secret.alice!, quiet);

  // bob calls alice's number and speaks for a while after the beep, then hangs up.
  bob.command(`call sip:+15550001@127.0.0.1:${sip.port};transport=tcp`);
  await bob.waitFor(/connected/i, 20_000);
  // linphone opens its play file for the call only when told during it.
  bob.command(`play ${tone}`);
  await new Promise((r) => setTimeout(r, 20_000));
  bob.command("terminate");
  await bob.waitFor(/ended|terminated/i, 15_000);
  const bobLog = await bob.log();
  // Our 200 OK named the TCP listener; the phone's ACK got there over TCP.
  assert.match(
    bobLog,
    new RegExp(`Contact: <sip:omnivox@127\\.0\\.0\\.1:${sip.port};transport=tcp>`),
    "the 200 OK's Contact names TCP",
  );
  let messages = await t.app.store.voicemail.list("alice");
  for (let i = 0; messages.length === 0 && i < 40; i++) {
    await new Promise((r) => setTimeout(r, 250));
    messages = await t.app.store.voicemail.list("alice");
  }
  assert.equal(messages.length, 1, "bob's message is kept in alice's box");
  const blob = await t.app.store.audio.get(messages[0]!.audioId);
  const recorded = wavToPcm16(parseWav(blob!.data));
  assert.ok(rms(recorded) > 500, `the recording is silence (rms ${rms(recorded).toFixed(1)})`);

  // alice's phone is told over its TCP registration flow (unsolicited message-summary NOTIFY).
  await alice.waitForLog(
    /NOTIFY sip:alice@[^\r\n]*transport=tcp[\s\S]*Messages-Waiting: yes/i,
    20_000,
  );

  // alice calls the access number from her phone, keys her PIN and listens.
  alice.command(`call sip:8000@127.0.0.1:${sip.port};transport=tcp`);
  await alice.waitFor(/connected/i, 20_000);
  await new Promise((r) => setTimeout(r, 2000)); // the PIN prompt starts
  for (const key of "123456#") {
    alice.command(key);
    await new Promise((r) => setTimeout(r, 400));
  }
  // "You have 1 new message", the envelope and the message; then 2 saves it.
  await new Promise((r) => setTimeout(r, 20_000));
  alice.command("2");
  for (let i = 0; i < 40; i++) {
    const list = await t.app.store.voicemail.list("alice");
    if (list[0]?.state === "saved") break;
    await new Promise((r) => setTimeout(r, 250));
  }
  alice.command("terminate");
  await alice.waitFor(/ended|terminated/i, 15_000);
  assert.deepEqual(
    (await t.app.store.voicemail.list("alice")).map((m) => m.state),
    ["saved"],
    "the PIN was accepted and the message heard to its end",
  );
  const heard = wavToPcm16(
    await readWavFile(join(work, "alice-heard.wav"), { allowTruncated: true }),
  );
  assert.ok(heard.length > 8000 * 5, `alice's phone recorded only ${heard.length} samples`);
  assert.ok(rms(heard) > 200, `alice heard silence (rms ${rms(heard).toFixed(1)})`);

  // A voice message for bob's number: his phone is called over its registration's connection
  // (the INVITE comes from our listening port, not from a new connection), and answers.
  const token = await t.login("alice", "wonderland");
  const wav = pcm16ToWav(generateSweep(500, 1500, 2000, 8000, 0.3), 8000);
  const posted = await t.api(
    "POST",
    "/messages",
    { to: "tel:+15550002", audio: Buffer.from(wav).toString("base64") },
    token,
  );
  assert.equal(posted.status, 201, JSON.stringify(posted.body));
  let states: string[] = [];
  for (let i = 0; i < 200; i++) {
    states = await t.deliveries("alice");
    if (states.includes("tel:+15550002 delivered")) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(states.includes("tel:+15550002 delivered"), states.join(", "));
  const invite = new RegExp(
    `received \\[\\d+\\] new bytes from \\[TCP://127\\.0\\.0\\.1:${sip.port}\\]:\\s*INVITE sip:bob@[^\\r\\n]*transport=tcp[\\s\\S]*?` +
      `Contact: <sip:omnivox@127\\.0\\.0\\.1:${sip.port};transport=tcp>`,
  );
  assert.match(await bob.log(), invite);
});

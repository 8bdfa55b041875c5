// A phone on TLS only (baresip 1.0, `;transport=tls`, trusting omnivox's self-signed certificate
// through sip_cafile): omnivox generates the certificate into dataDir on first start; alice's
// baresip registers and subscribes to MWI over TLS, bob's leaves her a message over TLS (its
// microphone a WAV sweep; the recording is not silence), alice's lamp goes on, and she calls the
// access number over TLS, keys her PIN and hears the message. The same again with SRTP
// (`sip.srtp: require`, baresip `mediaenc=srtp-mand`): signalling over TLS and audio encrypted,
// the deployment for phones that reach omnivox over the Internet.

import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { generateSweep, rms } from "../../src/media/pcm.ts";
import { parseWav, pcm16ToWav, readWavFile, wavToPcm16 } from "../../src/media/wav.ts";
import { type Baresip, startBaresip } from "../support/baresip.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";

const baresipBin = peer("baresip", "baresip");
const skip = baresipBin.skip;
let work: string;
const apps: TestApp[] = [];
const phones: Baresip[] = [];

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-baresip-tls-"));
});

after(async () => {
  await Promise.allSettled(phones.map((p) => p.stop()));
  await Promise.allSettled(apps.map((a) => a.stop()));
  if (work) await rm(work, { recursive: true, force: true });
});

async function startApp(
  srtp: "offer" | "require",
): Promise<{ t: TestApp; sip: Record<string, string> }> {
  const t = await startTestApp({
    sip: {
      listen: "127.0.0.1:0",
      domain: "127.0.0.1",
      accessNumber: "8000",
      tls: { listen: "127.0.0.1:0" },
      srtp,
    },
  });
  apps.push(t);
  // Phones register with the SIP secret each user is given, never the web password.
  const alice = await t.addUser({
    id: "alice",
    phones: ["+15550001"],
    password: "wonderland",
    pin: "123456",
  });
  const bob = await t.addUser({ id: "bob", phones: ["+15550002"], password: "builder1" });
  return { t, sip: { alice: alice.sipSecret, bob: bob.sipSecret } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function tlsPhones(srtp: boolean): Promise<void> {
  const { t, sip } = await startApp(srtp ? "require" : "offer");
  const dir = await mkdtemp(join(work, srtp ? "srtp-" : "plain-"));
  // With SRTP each phone offers RTP/SAVP only: a call that fell back to plain RTP would fail.
  const media = srtp ? { params: ["mediaenc=srtp-mand"] } : {};
  const modules = srtp ? { modules: ["srtp.so"] } : {};
  const tls = t.app.ports["sip-tls"];
  assert.ok(tls, "the TLS listener's port is in ports.json");
  assert.notEqual(tls.port, t.app.ports.sip!.port);

  // The self-signed certificate omnivox made on its first start: for our address, key 0600.
  const certFile = join(t.dataDir, "sip-tls.crt");
  const cert = new X509Certificate(await readFile(certFile));
  assert.equal(cert.checkIP("127.0.0.1"), "127.0.0.1");
  assert.equal((await stat(join(t.dataDir, "sip-tls.key"))).mode & 0o777, 0o600);

  const sweep = join(dir, "sweep.wav");
  await writeFile(sweep, pcm16ToWav(generateSweep(300, 3000, 60_000, 8000, 0.5), 8000));
  const quiet = join(dir, "quiet.wav");
  await writeFile(quiet, pcm16ToWav(new Int16Array(8000 * 90), 8000));
  const recordDir = join(dir, "alice-heard");
  await mkdir(recordDir);
  const outbound = { host: "127.0.0.1", port: tls.port, transport: "tls" as const };

  const alice = await startBaresip({
    binary: baresipBin.path!,
    account: { user: "alice", domain: "127.0.0.1", password: sip.alice!, outbound, ...media },
    ...modules,
    audioSource: `aufile,${quiet}`,
    recordDir,
    caFile: certFile,
    sipTrace: true,
  });
  phones.push(alice);
  await alice.waitFor(/alice@127\.0\.0\.1: \{0\/TLS\/v4\} 200 OK/, 20_000);
  await alice.waitFor(/Messages-Waiting: no/, 20_000);

  const bob = await startBaresip({
    binary: baresipBin.path!,
    account: {
      user: "bob",
      domain: "127.0.0.1",
      password: sip.bob!,
      outbound,
      mwi: false,
      ...media,
    },
    ...modules,
    audioSource: `aufile,${sweep}`,
    caFile: certFile,
    sipTrace: true,
  });
  phones.push(bob);
  await bob.waitFor(/bob@127\.0\.0\.1: \{0\/TLS\/v4\} 200 OK/, 20_000);

  // bob calls alice's number over TLS and talks past the greeting and beep, then hangs up.
  bob.command(`/dial sip:+15550001@127.0.0.1:${tls.port};transport=tls`);
  await bob.waitFor(/Call established|established/i, 20_000);
  // Our 200 OK names the TLS listener, so bob's ACK and BYE come back over TLS.
  assert.match(
    bob.output(),
    new RegExp(`Contact: <sip:omnivox@127\\.0\\.0\\.1:${tls.port};transport=tls>`),
  );
  if (srtp) {
    // Our answer over TLS carries RTP/SAVP with our own key, and baresip turned SRTP on.
    await bob.waitFor(/SRTP is Enabled \(cryptosuite=AES_CM_128_HMAC_SHA1_(80|32)\)/, 10_000);
    const trace = bob.output();
    const ours = trace.slice(trace.indexOf("o=omnivox"));
    assert.ok(ours.length > 0, "bob's trace shows our SDP answer");
    assert.match(ours, /m=audio \d+ RTP\/SAVP /);
    assert.match(ours, /a=crypto:\d+ AES_CM_128_HMAC_SHA1_(80|32) inline:[A-Za-z0-9+/]{40}\r?\n/);
  }
  await sleep(20_000);
  bob.command("b");
  let messages = await t.app.store.voicemail.list("alice");
  for (let i = 0; messages.length === 0 && i < 60; i++) {
    await sleep(250);
    messages = await t.app.store.voicemail.list("alice");
  }
  assert.equal(messages.length, 1, "bob's message is kept in alice's box");
  const blob = await t.app.store.audio.get(messages[0]!.audioId);
  const recorded = wavToPcm16(parseWav(blob!.data));
  assert.ok(recorded.length > 8000 * 3, `only ${recorded.length} samples were recorded`);
  assert.ok(rms(recorded) > 500, `the recording is silence (rms ${rms(recorded).toFixed(1)})`);

  // alice's lamp goes on: a NOTIFY in her subscription, over her TLS connection.
  await alice.waitFor(/Messages-Waiting: yes[\s\S]*Voice-Message: 1\/0/, 20_000);

  // She calls the access number over TLS, keys her PIN, hears the message and saves it (2).
  alice.command(`/dial sip:8000@127.0.0.1:${tls.port};transport=tls`);
  await alice.waitFor(/Call established|established/i, 20_000);
  await sleep(1500);
  for (const key of "123456#") {
    alice.command(key);
    await sleep(250);
  }
  await sleep(25_000);
  alice.command("2");
  await alice.waitFor(/Messages-Waiting: no[\s\S]*Voice-Message: 0\/1/, 20_000);
  alice.command("b");
  await sleep(1000);
  assert.deepEqual(
    (await t.app.store.voicemail.list("alice")).map((m) => m.state),
    ["saved"],
  );
  // Everything omnivox sent alice (the SUBSCRIBE's 200, NOTIFYs, the call's 200) named TLS.
  const contacts = [...alice.output().matchAll(/Contact: <sips?:omnivox@[^>]*>/g)].map((m) => m[0]);
  assert.ok(contacts.length >= 3, contacts.join("\n"));
  for (const c of contacts)
    assert.equal(c, `Contact: <sip:omnivox@127.0.0.1:${tls.port};transport=tls>`);
  const files = (await readdir(recordDir)).filter((f) => f.endsWith("-dec.wav"));
  assert.ok(files.length > 0, "alice's baresip recorded what it heard");
  const heard = wavToPcm16(await readWavFile(join(recordDir, files[0]!), { allowTruncated: true }));
  assert.ok(heard.length > 8000 * 5, `only ${heard.length} samples heard`);
  assert.ok(rms(heard) > 200, `alice heard silence (rms ${rms(heard).toFixed(1)})`);
  if (srtp) {
    assert.match(alice.output(), /SRTP is Enabled/, "alice's mailbox call was SRTP too");
    for (const p of [alice, bob])
      assert.doesNotMatch(p.output(), /failed to decrypt/i, "baresip decrypted what we sent");
  }
}

test(
  "baresip over TLS only: register, deposit, MWI, mailbox",
  {
    skip,
    timeout: 180_000,
  },
  () => tlsPhones(false),
);

test(
  "baresip over TLS with SRTP required: register, deposit, MWI, mailbox",
  {
    skip,
    timeout: 180_000,
  },
  () => tlsPhones(true),
);

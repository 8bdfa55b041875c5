// Behind a PBX proxy: Kamailio (record-routing both ways; the caller on TCP, omnivox on UDP)
// rings 1001, and when nobody answers diverts the call to omnivox's voicemail pilot with
// Diversion. The message lands in the box of 1001's owner, it is not silence, omnivox's 200
// carried the Record-Route (sipp checks), and omnivox's BYE after the caller fell silent comes
// back through Kamailio to the caller.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { encodeUlaw } from "../../src/media/g711.ts";
import { generateTone } from "../../src/media/pcm.ts";
import { parseWav, wavToPcm16 } from "../../src/media/wav.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { type Kamailio, kamailioPeer, startKamailio } from "../support/kamailio.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";

const sipp = peer("sipp", "sip-tester");
const kamailio = kamailioPeer();
const skip = sipp.skip ?? kamailio.skip;
const TONE_MS = 2000;
const SILENCE_MS = 1000;
let t: TestApp;
let proxy: Kamailio;
let work: string;

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-kamailio-"));
  t = await startTestApp({
    sip: { listen: "127.0.0.1:0" },
    voicemail: { silenceMs: SILENCE_MS, minMessageMs: 500 },
  });
  await t.addUser({ id: "alice", emails: ["alice@example.com"], phones: ["1002"] });
  await t.addUser({ id: "bob", emails: ["bob@example.com"], phones: ["1001"] });
  proxy = await startKamailio(kamailio.path!, {
    omnivox: t.app.ports.sip!,
    workDir: work,
    divert: { user: "1001", pilot: "8500", ringMs: 1000 },
  });
});

after(async () => {
  await proxy?.stop();
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test("a call diverted by Kamailio is deposited in 1001's box; omnivox's BYE comes back through it", {
  skip,
  timeout: 90_000,
}, async () => {
  // A tone, then µ-law silence long enough for omnivox to hang up on it.
  const tone = generateTone(600, TONE_MS, 8000, 0.4);
  const pcm = new Int16Array(tone.length + 8000 * 20);
  pcm.set(tone);
  const ulaw = new Uint8Array(pcm.length);
  encodeUlaw(pcm, ulaw);
  const audioFile = join(work, "caller.ulaw");
  await writeFile(audioFile, ulaw);

  const started = Date.now();
  const run = await runSipp(sipp.path!, proxy, "proxied-deposit.xml", {
    service: "1001",
    keys: { caller: "15551234" },
    template: {
      audio: audioFile,
      callee: "1001",
      bye_timeout_ms: String(TONE_MS + SILENCE_MS + 15_000),
    },
    workDir: work,
    timeoutS: 60,
    extra: ["-t", "t1"],
  });
  const log = proxy.log();
  assert.equal(
    run.code,
    0,
    `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}\n${log.slice(-3000)}`,
  );
  // The BYE was omnivox's, relayed by Kamailio (sipp only talks to Kamailio).
  assert.match(
    log,
    /kamailio-rx BYE sip:15551234@127\.0\.0\.1:\d+;transport=tcp from 127\.0\.0\.1:\d+\/udp/i,
  );
  assert.match(log, /kamailio-divert 1001 no-answer to 8500/, "1001 rang unanswered first");
  assert.match(log, /kamailio-rx ACK .* from 127\.0\.0\.1:\d+\/tcp/, "the ACK passed the proxy");
  assert.ok(Date.now() - started < 60_000);

  const messages = await t.app.store.voicemail.list("bob");
  assert.equal(messages.length, 1, "one message in bob's box (1001)");
  assert.equal((await t.app.store.voicemail.list("alice")).length, 0);
  const vm = messages[0]!;
  assert.ok(vm.durationMs >= TONE_MS - 300, `recorded ${vm.durationMs} ms`);
  const blob = await t.app.store.audio.get(vm.audioId);
  assert.ok(blob);
  const recorded = wavToPcm16(parseWav(blob.data));
  let sum = 0;
  for (const s of recorded) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, recorded.length));
  assert.ok(rms > 1000, `the recording is the tone, not silence (RMS ${rms.toFixed(0)})`);
});

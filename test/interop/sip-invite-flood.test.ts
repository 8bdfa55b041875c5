// SIP limits (docs/security.md "SIP limits"): sipp floods omnivox from 127.0.0.2 with INVITEs
// that are never ACKed (scenario invite-flood.xml, 2,000 at 400/s) while a second sipp calls from
// 127.0.0.1 (deposit.xml): that call is answered and recorded, the flood holds no more RTP ports
// than sip.limits.callsPerSource and frees them when the ACK wait ends, most of it gets no
// answer at all, and /metrics shows it.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { encodeUlaw } from "../../src/media/g711.ts";
import { generateSweep } from "../../src/media/pcm.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";

const sipp = peer("sipp", "sip-tester");
const CALLS_PER_SOURCE = 5;
let t: TestApp;
let work: string;

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-flood-"));
  t = await startTestApp({
    rtpPortCount: 200,
    sip: {
      listen: "127.0.0.1:0",
      limits: { callsPerSource: CALLS_PER_SOURCE },
    },
  });
  await t.addUser({ id: "alice", phones: ["+15550001"], password: "wonderland", pin: "123456" });
});

after(async () => {
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${t.app.ports.http!.port}/metrics`, {
    headers: { authorization: `Bearer ${t.app.adminToken}` },
  });
  return res.text();
}

function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test("an INVITE flood from one source leaves a call from another answered and recorded", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  const sip = t.app.ports.sip!;
  const floodStarted = Date.now();
  const flood = runSipp(sipp.path!, sip, "invite-flood.xml", {
    service: "15550001",
    localIp: "127.0.0.2",
    calls: 2000,
    extra: ["-r", "400", "-l", "2000"],
    timeoutS: 30,
    workDir: work,
  });
  // Watch the RTP ports while the flood runs.
  let peakPorts = 0;
  let flooding = true;
  const watch = (async () => {
    while (flooding) {
      peakPorts = Math.max(peakPorts, value(await scrape(), "omnivox_rtp_ports_in_use"));
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  await new Promise((r) => setTimeout(r, 1500));

  const AUDIO_MS = 2000;
  const ulaw = new Uint8Array((AUDIO_MS * 8000) / 1000);
  encodeUlaw(generateSweep(300, 3000, AUDIO_MS, 8000, 0.5), ulaw);
  const audioFile = join(work, "caller.ulaw");
  await writeFile(audioFile, ulaw);
  const call = await runSipp(sipp.path!, sip, "deposit.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template: { audio: audioFile, audio_ms: String(AUDIO_MS + 300) },
    workDir: work,
  });
  const floodRun = await flood;
  flooding = false;
  await watch;
  assert.equal(
    call.code,
    0,
    `the caller's sipp failed:\n${call.errors}\n${call.output.slice(-2000)}`,
  );
  assert.match(floodRun.output, /Successful call|OutGoing call created/i, "the flood ran");

  const messages = await t.app.store.voicemail.list("alice");
  const real = messages.filter((m) => m.ani === "15551234");
  assert.equal(real.length, 1, "the real caller's message was recorded");
  assert.ok(real[0]!.durationMs >= AUDIO_MS - 500, `recorded ${real[0]!.durationMs} ms`);

  assert.ok(peakPorts >= 1, "the flood's answered, unacknowledged calls held ports");
  assert.ok(
    peakPorts <= CALLS_PER_SOURCE + 1,
    `the flood held at most ${CALLS_PER_SOURCE} ports (peak in use ${peakPorts})`,
  );
  const text = await scrape();
  const rate = value(text, 'omnivox_throttled_total{listener="sip",reason="rate"}');
  const calls = value(text, 'omnivox_throttled_total{listener="sip",reason="calls"}');
  const invites = value(text, 'omnivox_sip_requests_total{method="INVITE"}');
  const answered5xx = value(text, 'omnivox_sip_responses_total{class="5xx"}');
  assert.ok(invites > 1000, `INVITEs counted (${invites})`);
  assert.ok(rate > invites * 0.8, `most INVITEs met the rate limit (${rate} of ${invites})`);
  assert.ok(calls >= 1, `admitted INVITEs beyond the call cap got 486 (${calls})`);
  assert.ok(answered5xx <= 20, `the flood was answered with silence, not 503s (${answered5xx})`);
  assert.ok(value(text, "omnivox_sip_throttled_sources") >= 1);
  assert.match(text, /^omnivox_event_loop_lag_seconds \d/m);

  // The flood's answered INVITEs are never ACKed: their ports come back when the ACK wait
  // (64·T1 = 32 s after the 200) ends.
  let inUse = value(text, "omnivox_rtp_ports_in_use");
  const deadline = floodStarted + 45_000;
  while (inUse > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    inUse = value(await scrape(), "omnivox_rtp_ports_in_use");
  }
  assert.equal(inUse, 0, "every port of an un-ACKed call is released after the ACK wait");
});

// Dual deposit: a sipp caller (scenario dual-deposit.xml, deposit.xml
// plus a log of when its audio starts) leaves a voicemail; the legacy simulator's box gets the same
// audio live with Diversion, or — when the box refuses — a replay through the outbox; an SMDI box
// gets its MD call detail before the deposit call.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, test } from "node:test";
import { type Omnivox, startOmnivox } from "../../src/app/omnivox.ts";
import { parseConfig } from "../../src/config/load.ts";
import { encodeUlaw } from "../../src/media/g711.ts";
import { crossCorrelate, generateSweep } from "../../src/media/pcm.ts";
import { parseWav, wavToPcm16 } from "../../src/media/wav.ts";
import { ModulePriority } from "../../src/protocols/sip/endpoint-types.ts";
import { LegacyVoicemailSim, SmdiPeer } from "../peers/legacy-vm/index.ts";
import { type LogLine, recordingLogger } from "../peers/legacy-vm/support.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";
import { until } from "../support/until.ts";

const sipp = peer("sipp", "sip-tester");
const DOMAIN = "um.example.com";
const FAILED = "legacy voicemail: live deposit failed; the stored message will be replayed";
type Json = Record<string, unknown>;

let work: string;
let sim: LegacyVoicemailSim;
let box: SmdiPeer;
let app: Omnivox;
let lines: LogLine[];

async function api(method: string, path: string, body?: unknown): Promise<Json | Json[]> {
  const res = await fetch(`http://127.0.0.1:${app.ports.http!.port}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${app.adminToken}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Json) : {};
}

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-dual-"));
  sim = await new LegacyVoicemailSim().start();
  box = await SmdiPeer.listen();
  const recorded = recordingLogger();
  lines = recorded.lines;
  const config = parseConfig({
    dataDir: join(work, "data"),
    http: { listen: "127.0.0.1:0", adminToken: "test-admin-token-0123456789" },
    smtp: { listen: "127.0.0.1:0", domains: ["example.com"] },
    sip: { listen: "127.0.0.1:0", domain: DOMAIN },
    smdi: [{ id: "octel", connect: box.address }],
    legacyVoicemail: { retryMinMs: 50, retryMaxMs: 500 },
    outbox: { backoffBaseMs: 50, backoffMaxMs: 500 },
    icw: { decideMs: 0 },
  });
  app = await startOmnivox(config, { logger: recorded.logger, outboxPollMs: 100 });
  const only = { routes: [{ from: "voicemail", to: ["im"] }] };
  await api("POST", "/users", {
    id: "alice",
    phones: ["+15550001"],
    voicemailSystems: [
      { id: "internal", kind: "internal" },
      { id: "pbx", kind: "sip", uri: sim.uri("4100"), depositUri: sim.uri("4100") },
    ],
    ...only,
  });
  await api("POST", "/users", {
    id: "carol",
    phones: ["+15550003"],
    voicemailSystems: [
      { id: "octel", kind: "smdi", link: "octel", station: "4300", depositUri: sim.uri("4300") },
    ],
    ...only,
  });
  await box.waitConnected();
});

after(async () => {
  await app?.stop();
  await box?.close();
  await sim?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Streams a sweep from sipp to `service`; returns what the caller sent and when it started. */
async function call(service: string, ms: number, name: string) {
  const sent = generateSweep(300, 3000, ms, 8000, 0.5);
  const ulaw = new Uint8Array(sent.length);
  encodeUlaw(sent, ulaw);
  const audio = join(work, `${name}.ulaw`);
  await writeFile(audio, ulaw);
  const log = join(work, `${name}.log`);
  const run = await runSipp(sipp.path!, app.ports.sip!, "dual-deposit.xml", {
    service,
    keys: { caller: "15551234" },
    template: { audio, audio_ms: String(ms + 300) },
    extra: ["-trace_logs", "-log_file", log],
    workDir: work,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
  // "audio-start <date>\t<time>\t<epoch seconds.micros>": sipp's wall clock as it starts the RTP.
  const m = /audio-start \S+\t\S+\t(\d+\.\d+)/.exec(await readFile(log, "utf8"));
  assert.ok(m, "sipp logged when its audio started");
  return { startedAt: Number(m[1]) * 1000 };
}

async function recordingOf(userId: string, index: number): Promise<Int16Array> {
  const list = (await app.store.voicemail.list(userId)).sort(
    (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime(),
  );
  const vm = list[index];
  assert.ok(vm, `${userId} has voicemail #${index}`);
  const blob = await app.store.audio.get(vm.audioId);
  assert.ok(blob);
  return wavToPcm16(parseWav(blob.data));
}

async function legacyDelivery(userId: string, target: string): Promise<Json | undefined> {
  const list = (await api("GET", `/communications?userId=${userId}`)) as Json[];
  const newest = list.find((c) => c.kind === "voicemail");
  return (newest?.deliveries as Json[] | undefined)?.find((d) => d.target === target);
}

function assertSameAudio(ours: Int16Array, theirs: Int16Array, what: string): void {
  const match = crossCorrelate(ours, theirs, 4000);
  assert.ok(
    match.coefficient > 0.9,
    `${what}: cross-correlation ${match.coefficient.toFixed(3)} at lag ${match.lag}`,
  );
  assert.ok(Math.abs(ours.length - theirs.length) <= 1600, `${what}: lengths differ by > 200 ms`);
}

test("a call is recorded and relayed live into the legacy box, with Diversion, at once", {
  skip: sipp.skip,
  timeout: 60_000,
}, async (t) => {
  const caller = await call("15550001", 3000, "live");
  const ours = await recordingOf("alice", 0);
  const deposit = await sim.deposits.next(0);
  const theirs = await deposit.done;
  assertSameAudio(ours, theirs, "legacy box vs our store");
  assert.equal(deposit.diversion, `<sip:15550001@${DOMAIN}>;reason=no-answer;counter=1`);
  assert.match(deposit.from, new RegExp(`<sip:15551234@${DOMAIN.replace(/\./g, "\\.")}>`));
  assert.match(deposit.requestUri, /^sip:4100@/);

  // The bound is 200 ms; asserted at 600 ms for a loaded two-core machine, and reported.
  assert.ok(deposit.firstAudioAt !== undefined);
  const lagMs = performance.timeOrigin + deposit.firstAudioAt - caller.startedAt;
  t.diagnostic(`legacy box heard the caller ${lagMs.toFixed(1)} ms after sipp began sending`);
  assert.ok(lagMs < 600, `first audio in the legacy box ${lagMs.toFixed(1)} ms after the caller's`);

  const delivery = await legacyDelivery("alice", "legacy:alice/pbx");
  assert.equal(delivery?.state, "delivered");
  assert.equal(
    lines.filter((l) => l.msg === FAILED).length,
    0,
    "no failure was logged for a relay that worked",
  );
});

test("a legacy box that refuses: the recording completes, one log line, the outbox replays it", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  // The box's SIP UA answers Busy Here until the live relay has failed.
  const refused: Array<string | undefined> = [];
  const stopRefusing = sim.endpoint.addModule({
    name: "busy",
    priority: ModulePriority.Application - 1,
    methods: ["INVITE"],
    onRequest: (req) => {
      refused.push(req.message.headers.get("diversion"));
      req.transaction.respond(486, "Busy Here");
      return true;
    },
  });
  const calling = call("15550001", 2000, "refused");
  try {
    await until("the relay's failure", () => lines.some((l) => l.msg === FAILED), 15_000);
  } finally {
    stopRefusing();
  }
  await calling;
  const ours = await recordingOf("alice", 1);
  assert.ok(ours.length >= 8000 * 1.7, `our recording is whole (${ours.length} samples)`);

  const failures = lines.filter((l) => l.msg === FAILED);
  assert.equal(failures.length, 1, "exactly one log line for the failed relay");
  assert.equal(failures[0]?.systemId, "pbx");
  assert.match(String(failures[0]?.reason), /486/);
  assert.deepEqual(refused, [`<sip:15550001@${DOMAIN}>;reason=no-answer;counter=1`]);

  const replay = await sim.deposits.next(1, 15_000);
  assert.equal(replay.diversion, `<sip:15550001@${DOMAIN}>;reason=no-answer;counter=1`);
  assertSameAudio(ours, await replay.done, "replay vs our store");
  // The outbox records the delivery just after the replay call ends.
  await until(
    "the legacy delivery delivered",
    async () => (await legacyDelivery("alice", "legacy:alice/pbx"))?.state === "delivered",
    { timeoutMs: 10_000, intervalMs: 50 },
  );
});

test("an SMDI box gets its MD call detail before the deposit call, then the audio", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  const index = sim.deposits.deposits.length;
  // Looks at the SMDI peer the moment the box's SIP UA reads the INVITE, then lets it through.
  const framesAtInvite: number[] = [];
  const stopWatching = sim.endpoint.addModule({
    name: "watch",
    priority: ModulePriority.Application - 1,
    methods: ["INVITE"],
    onRequest: () => {
      framesAtInvite.push(box.frames.length);
      return false;
    },
  });
  try {
    await call("15550003", 1500, "smdi");
  } finally {
    stopWatching();
  }
  assert.deepEqual(framesAtInvite, [1], "the MD frame had arrived when the INVITE did");
  const [md] = box.frames;
  assert.deepEqual(md && { ...md, desk: undefined, terminal: undefined }, {
    kind: "call-detail",
    desk: undefined,
    terminal: undefined,
    type: "N",
    forwardingStation: "4300",
    callingStation: "15551234",
  });
  const deposit = await sim.deposits.next(index);
  assert.equal(deposit.diversion, `<sip:4300@${DOMAIN}>;reason=no-answer;counter=1`);
  assertSameAudio(await recordingOf("carol", 0), await deposit.done, "SMDI box vs our store");
  assert.equal((await legacyDelivery("carol", "legacy:carol/octel"))?.state, "delivered");
});

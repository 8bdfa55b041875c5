// Disk full (docs/security.md): omnivox's dataDir on a small tmpfs that the test fills to the
// last byte. A deposit INVITE from sipp gets 503 + Retry-After and /healthz says 503 degraded
// with the reason; once space is freed /healthz is 200 and a deposit works. A disk that fills
// during a call: a caller who hangs up gets 200 to the BYE and the message is written when space
// returns; a caller still on the line hears the apology (its audio checked against the prompt)
// and nothing is stored.

import assert from "node:assert/strict";
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { decodeUlaw, encodeUlaw } from "../../src/media/g711.ts";
import { crossCorrelate, generateSweep, generateTone, rms } from "../../src/media/pcm.ts";
import { parseWav, readWavFile, wavToPcm16 } from "../../src/media/wav.ts";
import { RtpSender } from "../../src/protocols/rtp/sender.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";
import { mountSmallDisk, type SmallDisk } from "../support/tmpfs.ts";
import { until } from "../support/until.ts";

const sipp = peer("sipp", "sip-tester");
const AUDIO_MS = 3000;
const SILENCE_MS = 2500;
const MIN_FREE = 1024 * 1024;
let disk: SmallDisk | undefined;
let skip = sipp.skip;
let t: TestApp;
let work: string;

before(async () => {
  if (skip) return;
  const mounted = await mountSmallDisk(24 * 1024 * 1024);
  if (mounted.skip) {
    skip = mounted.skip;
    return;
  }
  disk = mounted.disk!;
  work = await mkdtemp(join(tmpdir(), "omnivox-diskfull-"));
  t = await startTestApp(
    {
      sip: {
        listen: "127.0.0.1:0",
        rtpTimeoutMs: 60_000,
        accessNumber: "8000",
      },
      voicemail: { silenceMs: SILENCE_MS },
      storage: { minFreeBytes: MIN_FREE, probeIntervalMs: 200 },
    },
    join(disk.dir, "data"),
  );
  await t.addUser({ id: "alice", phones: ["+15550001"], password: "wonderland", pin: "123456" });
});

after(async () => {
  await t?.stop();
  await disk?.unmount();
  if (work) await rm(work, { recursive: true, force: true });
});

async function health(): Promise<{ status: number; body: { status: string; reasons?: string[] } }> {
  const res = await fetch(`http://127.0.0.1:${t.app.ports.http!.port}/healthz`);
  return { status: res.status, body: (await res.json()) as { status: string; reasons?: string[] } };
}

const healthIs = (status: number) =>
  until(
    `/healthz ${status}`,
    async () => {
      const h = await health();
      return h.status === status ? h : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 50 },
  );

async function sweepFile(dir: string): Promise<{ file: string; heard: Int16Array }> {
  const sent = generateSweep(300, 3000, AUDIO_MS, 8000, 0.5);
  const ulaw = new Uint8Array(sent.length);
  encodeUlaw(sent, ulaw);
  const file = join(dir, "caller.ulaw");
  await writeFile(file, ulaw);
  const heard = new Int16Array(sent.length);
  decodeUlaw(ulaw, heard);
  return { file, heard };
}

function deposit(dir: string, audio: string) {
  return runSipp(sipp.path!, t.app.ports.sip!, "deposit.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template: { audio, audio_ms: String(AUDIO_MS + 300) },
    workDir: dir,
  });
}

async function messages(): Promise<number> {
  return (await t.app.store.voicemail.list("alice")).length;
}

async function assertStoredAudio(heard: Int16Array): Promise<void> {
  const vm = (await t.app.store.voicemail.list("alice"))[0]!;
  assert.ok(Math.abs(vm.durationMs - AUDIO_MS) <= 400, `duration ${vm.durationMs} ms`);
  const blob = await t.app.store.audio.get(vm.audioId);
  assert.ok(blob, "the audio is stored");
  const match = crossCorrelate(heard, wavToPcm16(parseWav(blob.data)), 4000);
  assert.ok(match.coefficient > 0.9, `cross-correlation ${match.coefficient.toFixed(3)}`);
}

test("on a full disk a deposit INVITE gets 503 + Retry-After, /healthz 503, the mailbox answers; freed, all work", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(work, "a-"));
  const { file, heard } = await sweepFile(dir);
  assert.equal((await healthIs(200)).body.status, "ok");
  const count = await messages();
  await disk!.fill(MIN_FREE / 2);
  try {
    const degraded = await healthIs(503);
    assert.equal(degraded.body.status, "degraded");
    assert.ok(
      degraded.body.reasons?.some((r) => /^low disk space: .* below storage\.minFreeBytes/.test(r)),
      JSON.stringify(degraded.body),
    );
    const refused = await runSipp(sipp.path!, t.app.ports.sip!, "refused-disk-full.xml", {
      service: "15550001",
      keys: { caller: "15551234" },
      workDir: dir,
    });
    assert.equal(refused.code, 0, `no 503 with Retry-After:\n${refused.errors}`);
    assert.equal(await messages(), count);
    // The mailbox (the access number) still answers: listening needs no room.
    const mailbox = await runSipp(sipp.path!, t.app.ports.sip!, "answered.xml", {
      service: "8000",
      keys: { caller: "15551234" },
      workDir: dir,
    });
    assert.equal(mailbox.code, 0, `the mailbox call was not answered:\n${mailbox.errors}`);
    assert.equal((await health()).status, 503, "still degraded");
  } finally {
    await disk!.free();
  }
  assert.equal((await healthIs(200)).body.status, "ok");
  const run = await deposit(dir, file);
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
  assert.equal(await messages(), count + 1);
  await assertStoredAudio(heard);
});

test("the disk fills during a call and the caller hangs up: 200 to BYE, written once space returns", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(work, "b-"));
  const { file, heard } = await sweepFile(dir);
  await healthIs(200);
  const count = await messages();
  const running = deposit(dir, file);
  // The recording file appears at the beep: from then on nothing more fits.
  const tmp = join(t.dataDir, "tmp");
  await until(
    "the recording to start",
    async () => ((await readdir(tmp)).some((f) => f.endsWith(".wav")) ? true : undefined),
    { timeoutMs: 20_000, intervalMs: 50 },
  );
  await disk!.fill(0);
  const run = await running;
  assert.equal(run.code, 0, `no 200 to BYE:\n${run.errors}\n${run.output.slice(-2000)}`);
  assert.equal(await messages(), count, "nothing could be written yet");
  const degraded = await healthIs(503);
  assert.ok(
    degraded.body.reasons?.some((r) => r.startsWith("write failed")),
    JSON.stringify(degraded.body),
  );

  await disk!.free();
  await healthIs(200);
  await until(
    "the held message to be written",
    async () => ((await messages()) === count + 1 ? true : undefined),
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  await assertStoredAudio(heard);
});

/** The caller's media end: keeps every µ-law payload omnivox sends, with its arrival time. */
class Ears {
  readonly packets: Array<{ at: number; pcm: Int16Array }> = [];
  omnivox: RemoteInfo | undefined;
  constructor(readonly socket: Socket) {
    socket.on("message", (msg, rinfo) => {
      if (msg.length <= 12 || (msg[1]! & 0x7f) !== 0) return;
      this.omnivox ??= rinfo;
      const pcm = new Int16Array(msg.length - 12);
      decodeUlaw(msg.subarray(12), pcm);
      this.packets.push({ at: performance.now(), pcm });
    });
  }

  static async open(): Promise<Ears> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return new Ears(socket);
  }

  /** Resolves once the beep was the last sound, more than 1.1 s ago (recording has begun). */
  async recording(): Promise<number> {
    for (let i = 0; i < 3000; i++) {
      const loud = this.packets.filter((p) => rms(p.pcm) > 300);
      const last = loud[loud.length - 1];
      const now = performance.now();
      if (last && now - this.packets[0]!.at > 1000 && now - last.at > 1100) return now;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error("omnivox never went quiet after its prompts");
  }

  /** Everything heard after `from`, from its first loud packet on. */
  heardAfter(from: number): Int16Array {
    const after = this.packets.filter((p) => p.at > from);
    const first = after.findIndex((p) => rms(p.pcm) > 300);
    const parts = first < 0 ? [] : after.slice(first).map((p) => p.pcm);
    const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
}

test("the disk fills during a call and the caller stays on: the apology is heard, nothing stored", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = await mkdtemp(join(work, "c-"));
  await healthIs(200);
  const count = await messages();
  const ears = await Ears.open();
  try {
    const running = runSipp(sipp.path!, t.app.ports.sip!, "quiet-caller.xml", {
      service: "15550001",
      keys: { caller: "15551234" },
      template: {
        key: "#",
        media_port: String(ears.socket.address().port),
        stream: "",
        pts: "",
        sdp: "",
        answer_has: "SIP/2.0 200",
      },
      timeoutS: 60,
      workDir: dir,
    });
    await ears.recording();
    const sender = new RtpSender({
      socket: ears.socket,
      destination: { address: ears.omnivox!.address, port: ears.omnivox!.port },
      payloadType: 0,
    });
    // The disk fills while the caller speaks.
    await Promise.all([sender.playPcm(generateTone(700, AUDIO_MS, 8000, 0.5)), disk!.fill(0)]);
    const spoken = performance.now();
    // Then silence: the message ends after SILENCE_MS, the store finds no room, omnivox
    // apologises and hangs up (the scenario waits for omnivox's BYE).
    const run = await running;
    sender.close();
    assert.equal(run.code, 0, `sipp did not get omnivox's BYE:\n${run.errors}`);

    const apology = wavToPcm16(
      await readWavFile(new URL("../../assets/prompts/not-saved.wav", import.meta.url).pathname),
    );
    const heard = ears.heardAfter(spoken);
    assert.ok(
      heard.length >= apology.length * 0.9,
      `heard ${heard.length} samples after the message, the apology has ${apology.length}`,
    );
    const match = crossCorrelate(apology, heard.subarray(0, apology.length + 1600), 1600);
    assert.ok(match.coefficient > 0.8, `apology correlation ${match.coefficient.toFixed(3)}`);

    await disk!.free();
    await healthIs(200);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await messages(), count, "the caller was told: the message is not kept");
  } finally {
    ears.socket.close();
  }
});

// MWI updates per second (README "Message waiting"): the legacy simulator changes U users' boxes — by NOTIFY on a
// message-summary subscription, and by SMDI OP/RMV:MWI — and each user's web client must show
// the change before that user's next one is sent. Through the whole gateway (store, aggregate,
// indicator slot, WebSocket, ack) beside the bare protocol path (the same sources reporting to a
// sink that does nothing), driven the same way in the same process. The ratio is the figure.
// Each user changes 200 times: at 25 a phase lasted about a fifth of a second from a cold start
// and measured mostly the JIT warming up, not a rate an operator's gateway sustains.

import pino from "pino";
import WebSocket from "ws";
import { configSchema } from "../src/config/schema.ts";
import type { MwiReport } from "../src/core/mwi.ts";
import type { MwiSink } from "../src/core/ports.ts";
import { SipEndpoint } from "../src/protocols/sip/endpoint.ts";
import { LegacyVoicemailSim, SmdiPeer } from "../test/peers/legacy-vm/index.ts";
import { startTestApp } from "../test/support/harness.ts";
import {
  type StartedLegacyVoicemail as LegacyVoicemail,
  startLegacyVoicemail,
} from "../test/support/legacy-voicemail.ts";
import { percentile } from "./stats.ts";

export interface MwiUpdatesResult {
  users: number;
  rounds: number;
  notify: { perSec: number; p50Ms: number; p99Ms: number; floorPerSec: number; ratio: number };
  smdi: { perSec: number; p50Ms: number; p99Ms: number; floorPerSec: number; ratio: number };
}

type Kind = "notify" | "smdi";
/** Resolves when user i has seen value v for the system of that kind. */
type Seen = (i: number, kind: Kind, value: number) => Promise<void>;

/** A waiter is registered before its change is sent, so a hit nobody waits for is stale. */
class Waiters {
  readonly #waiting = new Map<string, () => void>();
  wait(key: string): Promise<void> {
    return new Promise((resolve) => this.#waiting.set(key, resolve));
  }
  hit(key: string): void {
    const w = this.#waiting.get(key);
    if (!w) return;
    this.#waiting.delete(key);
    w();
  }
}

/** Each user changes `rounds` times, the next change only once the previous one was seen. */
async function drive(
  users: number,
  rounds: number,
  kind: Kind,
  change: (i: number, value: number) => Promise<void>,
  seen: Seen,
): Promise<{ perSec: number; latencies: number[] }> {
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: users }, async (_, i) => {
      for (let r = 1; r <= rounds; r++) {
        // SMDI has no counts: the lamp alternates on (1) and off (0).
        const value = kind === "smdi" ? r % 2 : r;
        const t0 = performance.now();
        const shown = seen(i, kind, value);
        await change(i, value);
        await shown;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - start;
  return { perSec: (users * rounds * 1000) / elapsed, latencies: latencies.sort((a, b) => a - b) };
}

const station = (i: number) => String(4000 + i);

/** Once every subscription and the SMDI link are up: the NOTIFY phase, then the SMDI phase. */
async function bothPhases(
  users: number,
  rounds: number,
  sim: LegacyVoicemailSim,
  box: SmdiPeer,
  waiters: Waiters,
): Promise<Record<Kind, { perSec: number; latencies: number[] }>> {
  await box.waitConnected();
  while (sim.mwi.active() < users) await new Promise((r) => setTimeout(r, 20));
  const seen: Seen = (i, kind, value) => waiters.wait(`${i}/${kind}/${value}`);
  const notify = await drive(
    users,
    rounds,
    "notify",
    (i, v) => sim.mwi.set(`box${i}`, { new: v, old: 0 }),
    seen,
  );
  const smdi = await drive(
    users,
    rounds,
    "smdi",
    async (i, v) => box.mwi(station(i), v === 1),
    seen,
  );
  return { notify, smdi };
}

export async function throughGateway(users: number, rounds: number) {
  const sim = await new LegacyVoicemailSim().start();
  const box = await SmdiPeer.listen();
  // The legacy voicemail server's address is listed as operators list theirs, so its bursts of
  // NOTIFYs are not taken for a flood (sip.limits.exempt).
  const t = await startTestApp({
    smdi: [{ id: "octel", connect: box.address }],
    sip: { listen: "127.0.0.1:0", limits: { exempt: ["127.0.0.1"] } },
    log: { level: "silent" },
  });
  const waiters = new Waiters();
  const sockets: WebSocket[] = [];
  try {
    for (let i = 0; i < users; i++) {
      await t.addUser({
        id: `u${i}`,
        password: "bench-password",
        voicemailSystems: [
          { id: "pbx", kind: "sip", uri: sim.uri(`box${i}`) },
          { id: "octel", kind: "smdi", link: "octel", station: station(i) },
        ],
      });
      const token = await t.login(`u${i}`, "bench-password");
      const ws = new WebSocket(
        `ws://127.0.0.1:${t.app.ports.http!.port}/api/v1/stream?token=${token}`,
      );
      ws.on("message", (data) => {
        const e = JSON.parse(String(data)) as {
          id: string;
          type: string;
          systems?: Array<{ id: string; new: number }>;
        };
        ws.send(JSON.stringify({ type: "ack", id: e.id }));
        if (e.type !== "mwi") return;
        for (const s of e.systems ?? []) {
          waiters.hit(`${i}/${s.id === "pbx" ? "notify" : "smdi"}/${s.new}`);
        }
      });
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
      sockets.push(ws);
    }
    return await bothPhases(users, rounds, sim, box, waiters);
  } finally {
    for (const ws of sockets) ws.close();
    await t.stop();
    await box.close();
    await sim.stop();
  }
}

/** The floor: the same sources, on a bare SIP endpoint and SMDI link, reporting to a no-op sink. */
async function bareProtocol(users: number, rounds: number) {
  const sim = await new LegacyVoicemailSim().start();
  const box = await SmdiPeer.listen();
  const endpoint = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 } });
  const port = (await endpoint.start()).udp!.port;
  const waiters = new Waiters();
  const index = new Map<string, number>();
  const sink: MwiSink = {
    async report(userId: string, systemId: string, report: MwiReport) {
      const i = index.get(userId) ?? -1;
      waiters.hit(`${i}/${systemId === "pbx" ? "notify" : "smdi"}/${report.counts.new}`);
    },
  };
  let lv: LegacyVoicemail | undefined;
  try {
    lv = await startLegacyVoicemail(
      configSchema.parse({ smdi: [{ id: "octel", connect: box.address }] }),
      {
        endpoint,
        localContact: `sip:omnivox@127.0.0.1:${port}`,
        sink,
        logger: pino({ level: "silent" }),
      },
    );
    for (let i = 0; i < users; i++) {
      index.set(`u${i}`, i);
      await lv.sip.sync(`u${i}`, [
        { system: { id: "pbx", kind: "sip", uri: sim.uri(`box${i}`) }, enabled: true },
      ]);
      await lv.smdi.sync(`u${i}`, [
        {
          system: { id: "octel", kind: "smdi", link: "octel", station: station(i) },
          enabled: true,
        },
      ]);
    }
    return await bothPhases(users, rounds, sim, box, waiters);
  } finally {
    await lv?.stop();
    await endpoint.stop();
    await box.close();
    await sim.stop();
  }
}

export async function run(users = 20, rounds = 200): Promise<MwiUpdatesResult> {
  const floor = await bareProtocol(users, rounds);
  const full = await throughGateway(users, rounds);
  const figure = (k: Kind) => ({
    perSec: full[k].perSec,
    p50Ms: percentile(full[k].latencies, 50),
    p99Ms: percentile(full[k].latencies, 99),
    floorPerSec: floor[k].perSec,
    ratio: full[k].perSec / floor[k].perSec,
  });
  return { users, rounds, notify: figure("notify"), smdi: figure("smdi") };
}

export function rows(r: MwiUpdatesResult) {
  return (["notify", "smdi"] as const).map((k) => ({
    benchmark: `MWI ${k === "notify" ? "SIP NOTIFY" : "SMDI OP/RMV:MWI"} → web client (${r.users} users × ${r.rounds} changes)`,
    figure: `${r[k].perSec.toFixed(0)} updates/s, p50 ${r[k].p50Ms.toFixed(1)} ms, p99 ${r[k].p99Ms.toFixed(1)} ms`,
    limit: `same source to a no-op sink ${r[k].floorPerSec.toFixed(0)} updates/s`,
    ratio: r[k].ratio.toFixed(3),
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  console.table(rows(r));
}

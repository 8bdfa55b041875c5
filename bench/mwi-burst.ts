// A PBX restart replaying state (README "Message waiting"): N users (1,000 by default), each with
// a box on the legacy simulator watched by a message-summary subscription and one connected web
// client; every box changes at once. Measured: the time until every client shows its box's new
// state, beside the same burst from the same simulator to a sink that does nothing.

import pino from "pino";
import WebSocket from "ws";
import { configSchema } from "../src/config/schema.ts";
import type { MwiSink } from "../src/core/ports.ts";
import { SipEndpoint } from "../src/protocols/sip/endpoint.ts";
import { LegacyVoicemailSim } from "../test/peers/legacy-vm/index.ts";
import { startTestApp } from "../test/support/harness.ts";
import {
  type StartedLegacyVoicemail as LegacyVoicemail,
  startLegacyVoicemail,
} from "../test/support/legacy-voicemail.ts";

export interface MwiBurstResult {
  users: number;
  /** Clients that showed their new state within the bench's bound (all, unless one was lost). */
  shown: number;
  /** Until the last web client showed its new state. */
  allShownMs: number;
  perSec: number;
  /** The same burst to a no-op sink: until the last report arrived. */
  floorMs: number;
  floorPerSec: number;
  ratio: number;
}

/** Resolves once `count` distinct users have been hit. */
class Countdown {
  readonly #hit = new Set<number>();
  readonly #done: Promise<void>;
  #resolve!: () => void;
  constructor(readonly count: number) {
    this.#done = new Promise((r) => {
      this.#resolve = r;
    });
  }
  hit(i: number): void {
    this.#hit.add(i);
    if (this.#hit.size === this.count) this.#resolve();
  }
  get done(): Promise<void> {
    return this.#done;
  }
  get size(): number {
    return this.#hit.size;
  }
}

async function untilActive(sim: LegacyVoicemailSim, users: number): Promise<void> {
  while (sim.mwi.active() < users) await new Promise((r) => setTimeout(r, 50));
}

/** A bench that lost an update reports how many arrived instead of waiting for ever. */
const BOUND_MS = 30_000;

/** Every box to one new message at once: the ms until all are shown, and how many were. */
async function burst(
  sim: LegacyVoicemailSim,
  users: number,
  shown: Countdown,
): Promise<{ ms: number; shown: number }> {
  const t0 = performance.now();
  let bound: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(
      Array.from({ length: users }, (_, i) => sim.mwi.set(`box${i}`, { new: 1, old: 0 })),
    ).then(() => shown.done),
    new Promise((resolve) => {
      bound = setTimeout(resolve, BOUND_MS);
    }),
  ]);
  clearTimeout(bound);
  return { ms: performance.now() - t0, shown: shown.size };
}

async function pool(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

async function throughGateway(users: number): Promise<{ ms: number; shown: number }> {
  const sim = await new LegacyVoicemailSim().start();
  // The simulator's bursts are not a flood (sip.limits.exempt); all clients come from one address.
  const t = await startTestApp({
    sip: { listen: "127.0.0.1:0", limits: { exempt: ["127.0.0.1"] } },
    http: {
      listen: "127.0.0.1:0",
      adminToken: "test-admin-token-0123456789",
      maxConnectionsPerSource: 0,
    },
    log: { level: "silent" },
  });
  const shown = new Countdown(users);
  const sockets: WebSocket[] = [];
  try {
    const port = t.app.ports.http!.port;
    await pool(users, 16, async (i) => {
      await t.addUser({
        id: `u${i}`,
        voicemailSystems: [{ id: "pbx", kind: "sip", uri: sim.uri(`box${i}`) }],
      });
      const ws = new WebSocket(
        `ws://127.0.0.1:${port}/api/v1/stream?token=${t.app.adminToken}&user=u${i}`,
      );
      ws.on("message", (data) => {
        const e = JSON.parse(String(data)) as {
          id: string;
          type: string;
          systems?: Array<{ id: string; new: number }>;
        };
        ws.send(JSON.stringify({ type: "ack", id: e.id }));
        if (e.type === "mwi" && e.systems?.some((s) => s.id === "pbx" && s.new === 1)) {
          shown.hit(i);
        }
      });
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
      sockets.push(ws);
    });
    await untilActive(sim, users);
    return await burst(sim, users, shown);
  } finally {
    for (const ws of sockets) ws.close();
    await t.stop();
    await sim.stop();
  }
}

async function bareProtocol(users: number): Promise<{ ms: number; shown: number }> {
  const sim = await new LegacyVoicemailSim().start();
  const endpoint = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 } });
  const port = (await endpoint.start()).udp!.port;
  const shown = new Countdown(users);
  const sink: MwiSink = {
    async report(userId, _systemId, report) {
      if (report.counts.new === 1) shown.hit(Number(userId.slice(1)));
    },
  };
  let lv: LegacyVoicemail | undefined;
  try {
    lv = await startLegacyVoicemail(configSchema.parse({}), {
      endpoint,
      localContact: `sip:omnivox@127.0.0.1:${port}`,
      sink,
      logger: pino({ level: "silent" }),
    });
    for (let i = 0; i < users; i++) {
      await lv.sip.sync(`u${i}`, [
        { system: { id: "pbx", kind: "sip", uri: sim.uri(`box${i}`) }, enabled: true },
      ]);
    }
    await untilActive(sim, users);
    return await burst(sim, users, shown);
  } finally {
    await lv?.stop();
    await endpoint.stop();
    await sim.stop();
  }
}

export async function run(users = 1000): Promise<MwiBurstResult> {
  const floor = await bareProtocol(users);
  const full = await throughGateway(users);
  return {
    users,
    shown: full.shown,
    allShownMs: full.ms,
    perSec: (full.shown * 1000) / full.ms,
    floorMs: floor.ms,
    floorPerSec: (floor.shown * 1000) / floor.ms,
    ratio: floor.ms / full.ms,
  };
}

export function rows(r: MwiBurstResult) {
  return [
    {
      benchmark: `MWI PBX restart: ${r.users} SIP boxes change at once → ${r.users} web clients`,
      figure: `${r.shown === r.users ? "all" : `only ${r.shown}`} shown in ${r.allShownMs.toFixed(0)} ms (${r.perSec.toFixed(0)} updates/s)`,
      limit: `same burst to a no-op sink ${r.floorMs.toFixed(0)} ms (${r.floorPerSec.toFixed(0)} updates/s)`,
      ratio: r.ratio.toFixed(3),
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(rows(await run(Number(process.env.OMNIVOX_BENCH_MWI_USERS ?? 1000))));
}

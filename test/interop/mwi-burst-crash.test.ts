// A child omnivox on its SQLite file is killed with SIGKILL during a burst of MWI changes from the
// legacy simulator's SIP boxes (README "Message waiting"). After a restart on the same dataDir
// every user's web client ends on the latest state of its box, and no client ever sees a
// version lower than one it already had: versions come from the store, not from memory.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import WebSocket from "ws";
import { LegacyVoicemailSim } from "../peers/legacy-vm/index.ts";
import { type OmnivoxChild, spawnOmnivox, writeChildConfig } from "../support/child.ts";
import { prng } from "../support/prng.ts";
import { until } from "../support/until.ts";

const USERS = 8;
const ROUNDS = 30;
const ADMIN = "mwi-crash-admin-token-0123456789";

interface Seen {
  /** The pbx count of the last indicator the client got, across its connections. */
  pbx: number;
  version: number;
  /** Indicators whose version was below one the client already had. */
  backwards: number;
}

test("SIGKILL during an MWI burst: after restart every client ends on every box's latest state", {
  timeout: 180_000,
}, async (t) => {
  const seed = Number(process.env.OMNIVOX_CRASH_SEED ?? Date.now() % 100_000);
  const random = prng(seed);
  const sim = await new LegacyVoicemailSim().start();
  const dataDir = await mkdtemp(join(tmpdir(), "omnivox-mwi-crash-"));
  const configFile = await writeChildConfig(dataDir, ADMIN, [
    // The simulator's bursts are not a flood: its address is exempt, as operators list theirs.
    "sip: { listen: 127.0.0.1:0, limits: { exempt: [127.0.0.1] } }",
  ]);

  let child: OmnivoxChild = await spawnOmnivox(configFile, dataDir);
  const api = (path: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${child.ports.http!.port}/api/v1${path}`, {
      method: body ? "POST" : "GET",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
  const seen: Seen[] = Array.from({ length: USERS }, () => ({ pbx: -1, version: 0, backwards: 0 }));
  let clients: WebSocket[] = [];
  const close = async () => {
    await Promise.all(
      clients.map(
        (ws) =>
          new Promise((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve(undefined);
            ws.once("close", resolve);
            ws.terminate();
          }),
      ),
    );
  };
  // Each user's web client, opened with the admin token for that user (no password to hash).
  const connect = async () => {
    clients = await Promise.all(
      seen.map(async (s, i) => {
        const ws = new WebSocket(
          `ws://127.0.0.1:${child.ports.http!.port}/api/v1/stream?token=${ADMIN}&user=u${i}`,
        );
        ws.on("message", (data) => {
          const e = JSON.parse(String(data)) as {
            id: string;
            type: string;
            version?: number;
            systems?: Array<{ id: string; new: number }>;
          };
          ws.send(JSON.stringify({ type: "ack", id: e.id }));
          if (e.type !== "mwi" || e.version === undefined) return;
          if (e.version < s.version) s.backwards++;
          s.version = Math.max(s.version, e.version);
          const pbx = e.systems?.find((x) => x.id === "pbx");
          if (pbx && e.version >= s.version) s.pbx = pbx.new;
        });
        ws.on("error", () => {});
        await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
        return ws;
      }),
    );
  };

  try {
    for (let i = 0; i < USERS; i++) {
      const res = await api("/users", {
        id: `u${i}`,
        voicemailSystems: [{ id: "pbx", kind: "sip", uri: sim.uri(`box${i}`) }],
      });
      assert.equal(res.status, 201);
    }
    await connect();
    await until("every box subscribed", () => sim.mwi.active() >= USERS, { timeoutMs: 30_000 });

    // Each round changes every box at once, without waiting for the clients; the kill lands
    // after a random round, and the remaining rounds reach a dead omnivox (the boxes still change).
    const killAfter = 1 + Math.floor(random() * (ROUNDS - 2));
    const sends: Array<Promise<unknown>> = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const round = Promise.allSettled(
        Array.from({ length: USERS }, (_, i) => sim.mwi.set(`box${i}`, { new: r, old: 0 })),
      );
      sends.push(round);
      if (r % 4 === 0) await round;
      if (r === killAfter) {
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 5)));
        child.process.kill("SIGKILL");
      }
    }
    await Promise.all(sends);
    await child.exited;
    await close();

    child = await spawnOmnivox(configFile, dataDir);
    await connect();
    await until(
      "every client on its box's latest state",
      () => seen.every((s) => s.pbx === ROUNDS),
      { timeoutMs: 60_000, intervalMs: 50 },
    ).catch(() => {}); // the assertions below name the clients that are behind
    t.diagnostic(`seed ${seed}: killed after round ${killAfter} of ${ROUNDS}`);
    assert.deepEqual(
      seen.map((s) => s.pbx),
      seen.map(() => ROUNDS),
      `seed ${seed}: the pbx count each client ends on`,
    );
    assert.deepEqual(
      seen.map((s) => s.backwards),
      seen.map(() => 0),
      `seed ${seed}: indicators older than one the client had`,
    );
    // The store agrees with what the clients show.
    for (let i = 0; i < USERS; i++) {
      const snap = (await (await api(`/users/u${i}/mwi`)).json()) as {
        systems: Array<{ id: string; new: number }>;
      };
      assert.equal(snap.systems.find((s) => s.id === "pbx")?.new, ROUNDS, `u${i} in the store`);
    }
  } finally {
    await close();
    child.process.kill("SIGTERM");
    await child.exited;
    sim.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

// Polls omnivox's /healthz from outside while a test loads it: the largest gap between two
// answers shows how long the event loop was blocked (every answer must be 200).

import assert from "node:assert/strict";

export interface HealthPoll {
  stop(): Promise<{ maxGapMs: number; answers: number }>;
}

/** Asks /healthz every `everyMs` until stopped; the largest gap between two answers, ms. */
export function pollHealth(port: number, everyMs: number): HealthPoll {
  let running = true;
  let last = Date.now();
  let maxGapMs = 0;
  let answers = 0;
  const loop = (async () => {
    while (running) {
      const asked = Date.now();
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      assert.equal(res.status, 200);
      const now = Date.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
      answers++;
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (now - asked))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { maxGapMs, answers };
    },
  };
}

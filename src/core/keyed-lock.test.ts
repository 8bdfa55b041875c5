// One at a time per key: the second work for a key starts after the first ended (even when it
// threw), other keys do not wait, and nothing is kept once all is done.

import assert from "node:assert/strict";
import { test } from "node:test";
import { KeyedLock } from "./keyed-lock.ts";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("work for one key runs one at a time; other keys run beside it", async () => {
  const lock = new KeyedLock();
  const log: string[] = [];
  const job = (key: string, name: string, ms: number, fail = false) =>
    lock.run(key, async () => {
      log.push(`${name} start`);
      await tick(ms);
      log.push(`${name} end`);
      if (fail) throw new Error(name);
      return name;
    });
  const results = await Promise.allSettled([
    job("alice", "a1", 30, true),
    job("alice", "a2", 5),
    job("bob", "b1", 5),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ["rejected", "fulfilled", "fulfilled"],
  );
  assert.ok(log.indexOf("a2 start") > log.indexOf("a1 end"), log.join(", "));
  assert.ok(log.indexOf("b1 end") < log.indexOf("a1 end"), log.join(", "));
  assert.equal(lock.size, 0);
});

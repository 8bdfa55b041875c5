import assert from "node:assert/strict";
import { test } from "node:test";
import { UntilTimeoutError, until } from "./until.ts";

test("resolves with the probe's first truthy answer, sync or async", async () => {
  let n = 0;
  assert.equal(await until("the third ask", () => ++n >= 3 && n, { intervalMs: 1 }), 3);
  let m = 0;
  const found = await until("an object", async () => (++m < 2 ? undefined : { m }), 1000);
  assert.deepEqual(found, { m: 2 });
});

test("fails after the timeout with an error naming what was awaited", async () => {
  const started = Date.now();
  await assert.rejects(
    until("the moon", () => false, { timeoutMs: 60, intervalMs: 5 }),
    (err: unknown) =>
      err instanceof UntilTimeoutError &&
      err.what === "the moon" &&
      /timed out after 60 ms waiting for the moon/.test(err.message),
  );
  assert.ok(Date.now() - started >= 60);
});

test("an error thrown by the probe fails the wait at once", async () => {
  let asks = 0;
  await assert.rejects(
    until("a broken probe", () => {
      asks++;
      throw new Error("boom");
    }),
    /boom/,
  );
  assert.equal(asks, 1);
});

test("interval 0 still lets timers and I/O run between asks", async () => {
  let fired = false;
  setTimeout(() => {
    fired = true;
  }, 5);
  await until("a timer", () => fired, { timeoutMs: 1000, intervalMs: 0 });
  assert.equal(fired, true);
});

import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import type { ComponentEvents } from "./component.ts";
import { StreamError } from "./errors.ts";
import { Reconnector } from "./reconnect.ts";

class FakeConnection extends EventEmitter<ComponentEvents> {
  status = "offline";
  attempts = 0;
  async connect(): Promise<void> {
    this.attempts++;
  }
}

test("delays grow exponentially up to the maximum, with jitter in range", () => {
  const r = new Reconnector({
    connection: new FakeConnection(),
    initialDelayMs: 100,
    maxDelayMs: 1000,
    jitter: 0.5,
    random: () => 1,
  });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((n) => r.delay(n)),
    [100, 200, 400, 800, 1000, 1000],
  );
  const low = new Reconnector({
    connection: new FakeConnection(),
    initialDelayMs: 100,
    jitter: 0.5,
    random: () => 0,
  });
  assert.equal(low.delay(1), 50);
  assert.equal(low.delay(1, true), 30_000);
});

test("retries after an unrequested disconnect, not after close(), resets when online", async () => {
  const connection = new FakeConnection();
  const r = new Reconnector({ connection, initialDelayMs: 5, maxDelayMs: 50, random: () => 1 });
  r.start();
  assert.equal(connection.attempts, 1);
  connection.emit("disconnect", { error: new Error("lost"), requested: false });
  connection.emit("disconnect", { error: new Error("lost"), requested: false });
  assert.equal(r.attempts, 1, "one retry is scheduled at a time");
  await new Promise((res) => setTimeout(res, 30));
  assert.equal(connection.attempts, 2);
  connection.emit("online");
  assert.equal(r.attempts, 0);
  connection.emit("disconnect", { requested: true });
  await new Promise((res) => setTimeout(res, 30));
  assert.equal(connection.attempts, 2);
  connection.emit("disconnect", { error: new StreamError("not-authorized"), requested: false });
  r.stop();
  await new Promise((res) => setTimeout(res, 30));
  assert.equal(connection.attempts, 2, "stop() cancels the scheduled retry");
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { until } from "../../../test/support/until.ts";
import type { DepositedMessage } from "../../core/mailbox.ts";
import { PendingDeposits } from "./pending-deposits.ts";

const log = pino({ level: "silent" });
const noRoom = () => Object.assign(new Error("no space"), { code: "ENOSPC" });
const message = (callId: string, bytes: number): DepositedMessage => ({
  userId: "alice",
  audio: new Uint8Array(bytes),
  durationMs: 1000,
  party: {},
  callId,
  receivedAt: new Date(),
});

test("held messages are written in order once room returns; the bytes are bounded", async () => {
  let room = false;
  const written: string[] = [];
  const pending = new PendingDeposits({
    deposit: async (m) => {
      if (!room) throw noRoom();
      written.push(m.callId);
    },
    maxBytes: 2500,
    logger: log,
    retryMinMs: 5,
    retryMaxMs: 20,
  });
  assert.equal(pending.keep(message("a", 1000)), true);
  assert.equal(pending.keep(message("b", 1000)), true);
  assert.equal(pending.keep(message("c", 1000)), false, "over the cap");
  assert.equal(pending.bytes, 2000);
  await new Promise((r) => setTimeout(r, 60)); // several failed rounds
  assert.deepEqual(written, []);
  room = true;
  await until("written.length === 2", () => written.length === 2);
  assert.deepEqual(written, ["a", "b"]);
  assert.equal(pending.bytes, 0);
  assert.equal(pending.keep(message("c", 1000)), true, "room in the queue again");
  await until("written.length === 3", () => written.length === 3);
  await pending.stop();
});

test("wake() writes at once; stop() makes a last attempt and then drops (logged)", async () => {
  let room = false;
  const written: string[] = [];
  const pending = new PendingDeposits({
    deposit: async (m) => {
      if (!room) throw noRoom();
      written.push(m.callId);
    },
    maxBytes: 10_000,
    logger: log,
    retryMinMs: 60_000,
  });
  pending.keep(message("a", 10));
  room = true;
  pending.wake();
  await until("written.length === 1", () => written.length === 1);
  room = false;
  pending.keep(message("b", 10));
  await pending.stop();
  assert.equal(pending.size, 0);
  assert.deepEqual(written, ["a"]);
  assert.equal(pending.keep(message("c", 10)), false, "nothing is taken after stop");
});

test("a message failing for another reason is dropped after a few tries", async () => {
  let tries = 0;
  const pending = new PendingDeposits({
    deposit: async () => {
      tries++;
      throw new Error("broken");
    },
    maxBytes: 10_000,
    logger: log,
    retryMinMs: 2,
    maxOtherFailures: 3,
  });
  pending.keep(message("a", 10));
  await until("pending.size === 0", () => pending.size === 0);
  assert.equal(tries, 3);
  await pending.stop();
});

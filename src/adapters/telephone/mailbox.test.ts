import assert from "node:assert/strict";
import { before, test } from "node:test";
import { FakeLeg } from "../../../test/support/fake-leg.ts";
import { KeyedLock } from "../../core/keyed-lock.ts";
import type { MailboxMessage, MailboxStore } from "../../core/mailbox.ts";
import { PinLockout, type PinLockRecord } from "../../core/pin-lockout.ts";
import { generateTone } from "../../media/pcm.ts";
import { type PinGuard, runMailbox } from "./mailbox.ts";
import { Prompts } from "./prompts.ts";

let prompts: Prompts;
before(async () => {
  prompts = await Prompts.load();
});

class MemoryMailbox implements MailboxStore {
  saved: string[] = [];
  deleted: string[] = [];
  greeting?: Int16Array;
  busyGreeting?: Int16Array;
  constructor(private readonly messages: MailboxMessage[]) {}
  async verifyPin(userId: string, pin: string) {
    return userId === "alice" && pin === "1234";
  }
  async newMessages() {
    return this.messages.filter((m) => !this.saved.includes(m.id) && !this.deleted.includes(m.id));
  }
  async markSaved(_u: string, id: string) {
    this.saved.push(id);
  }
  async delete(_u: string, id: string) {
    this.deleted.push(id);
  }
  async saveGreeting(_u: string, pcm: Int16Array, kind?: "unavailable" | "busy") {
    if (kind === "busy") this.busyGreeting = pcm;
    else this.greeting = pcm;
  }
}

const audio1 = generateTone(500, 400);
const audio2 = generateTone(700, 400);
const messages = (): MailboxMessage[] => [
  {
    id: "m1",
    ani: "+15551234",
    receivedAt: new Date(2026, 0, 1, 15, 45),
    audio: async () => audio1,
  },
  { id: "m2", receivedAt: new Date(2026, 0, 1, 9, 0), audio: async () => audio2 },
];

/** Answers each prompt of the dialogue with keys, by the prompt it follows. */
function script(leg: FakeLeg, answers: Array<[Int16Array, string]>): void {
  leg.onPlay = (_i, samples) => {
    const hit = answers.findIndex(([prompt]) => prompt === samples);
    if (hit < 0) return;
    const [, keys] = answers.splice(hit, 1)[0]!;
    setImmediate(() => {
      for (const k of keys) leg.digit(k);
    });
  };
}

test("the right PIN plays the new messages with their envelope; 3 deletes, 2 saves", async () => {
  const leg = new FakeLeg();
  const store = new MemoryMailbox(messages());
  script(leg, [
    [prompts.get("enter-pin"), "1234#"],
    [prompts.get("menu"), "3"],
    [prompts.get("main-menu"), "*"],
  ]);
  let menus = 0;
  const prev = leg.onPlay;
  leg.onPlay = (i, s) => {
    prev(i, s);
    if (s === prompts.get("menu") && ++menus === 2) setImmediate(() => leg.digit("2"));
  };
  const end = await runMailbox(leg, {
    prompts,
    store,
    userId: "alice",
    findMailbox: async () => undefined,
    digitTimeoutMs: 500,
  });
  assert.equal(end, "done");
  assert.deepEqual(store.deleted, ["m1"]);
  assert.deepEqual(store.saved, ["m2"]);
  assert.ok(leg.played.includes(audio1), "message 1 was played");
  assert.ok(leg.played.includes(audio2), "message 2 was played");
  assert.ok(leg.played.includes(prompts.get("goodbye")));
});

test("three wrong PINs end the call without playing anything", async () => {
  const leg = new FakeLeg();
  const store = new MemoryMailbox(messages());
  let tries = 0;
  leg.onPlay = (_i, s) => {
    if (s === prompts.get("enter-pin")) {
      tries++;
      setImmediate(() => {
        for (const k of "9999#") leg.digit(k);
      });
    }
  };
  const end = await runMailbox(leg, {
    prompts,
    store,
    userId: "alice",
    findMailbox: async () => undefined,
    digitTimeoutMs: 500,
  });
  assert.equal(end, "bad-pin");
  assert.equal(tries, 3);
  assert.ok(!leg.played.includes(audio1));
});

test("the caller keys the mailbox number when not known; 5 records a greeting", async () => {
  const leg = new FakeLeg();
  const store = new MemoryMailbox([]);
  setImmediate(() => {
    for (const k of "5550001#") leg.digit(k);
  });
  let asked = "";
  script(leg, [
    [prompts.get("enter-pin"), "1234#"],
    [prompts.get("main-menu"), "5"],
  ]);
  const prev = leg.onPlay;
  leg.onPlay = (i, s) => {
    prev(i, s);
    if (s.length === prompts.beep().length && !store.greeting) {
      void leg.recording().then(() => {
        for (let f = 0; f < 25; f++) leg.frame(generateTone(300, 20));
        leg.digit("#");
      });
    }
    if (s === prompts.get("greeting-saved")) setImmediate(() => leg.digit("*"));
  };
  const end = await runMailbox(leg, {
    prompts,
    store,
    findMailbox: async (n) => {
      asked = n;
      return n === "5550001" ? "alice" : undefined;
    },
    digitTimeoutMs: 500,
  });
  assert.equal(asked, "5550001");
  assert.equal(end, "done");
  assert.equal(store.greeting?.length, 25 * 160);
  assert.ok(leg.played.includes(prompts.get("no-new-messages")));
});

test("6 records the busy greeting, beside the unavailable one", async () => {
  const leg = new FakeLeg();
  const store = new MemoryMailbox([]);
  script(leg, [
    [prompts.get("enter-pin"), "1234#"],
    [prompts.get("main-menu"), "6"],
  ]);
  const prev = leg.onPlay;
  leg.onPlay = (i, s) => {
    prev(i, s);
    if (s.length === prompts.beep().length && !store.busyGreeting) {
      void leg.recording().then(() => {
        for (let f = 0; f < 30; f++) leg.frame(generateTone(900, 20));
        leg.digit("#");
      });
    }
    if (s === prompts.get("greeting-saved")) setImmediate(() => leg.digit("*"));
  };
  const end = await runMailbox(leg, {
    prompts,
    store,
    userId: "alice",
    findMailbox: async () => undefined,
    digitTimeoutMs: 500,
  });
  assert.equal(end, "done");
  assert.ok(leg.played.includes(prompts.get("record-busy-greeting")));
  assert.equal(store.busyGreeting?.length, 30 * 160);
  assert.equal(store.greeting, undefined, "the unavailable greeting is untouched");
});

test("numbers and times are spoken from the shipped clips", () => {
  assert.ok(prompts.number(42).length > prompts.get("number-40").length);
  assert.deepEqual(prompts.number(7), prompts.get("digit-7"));
  assert.ok(prompts.time(new Date(2026, 0, 1, 0, 5)).length > 0);
  assert.equal(prompts.digits("+1 (555)").length, prompts.digits("1555").length);
});

/** A guard over the real lockout with a memory store: locks after `max` wrong PINs. */
function guardOf(max: number) {
  const records = new Map<string, PinLockRecord>();
  const rule = {
    maxFailures: max,
    windowMs: 3600_000,
    banMs: 300_000,
    banFactor: 2,
    maxBanMs: 86_400_000,
    forgetMs: 86_400_000,
  };
  const lockout = new PinLockout(
    { mailbox: rule, source: { ...rule, maxFailures: 1000 } },
    {
      get: async (m) => records.get(m),
      put: async (m, r) => void records.set(m, structuredClone(r)),
      delete: async (m) => void records.delete(m),
    },
  );
  const succeeded: number[] = [];
  const checks = new KeyedLock();
  const guard: PinGuard = {
    locked: async (u, c) => {
      const check = await lockout.check(u, c);
      return check.locked ? check.until : undefined;
    },
    failed: async (u, c) => {
      const r = await lockout.fail(u, c);
      return r.check.locked ? r.check.until : undefined;
    },
    succeeded: (_u, _c, length) => void succeeded.push(length),
    oneAtATime: (u, work) => checks.run(u, work),
  };
  return { guard, records, succeeded };
}

/** Keys `pins` in turn at each PIN prompt. */
function keyPins(leg: FakeLeg, pins: string[]): void {
  leg.onPlay = (_i, s) => {
    if (s !== prompts.get("enter-pin")) return;
    const pin = pins.shift();
    if (pin === undefined) return;
    setImmediate(() => {
      for (const k of `${pin}#`) leg.digit(k);
    });
  };
}

test("wrong PINs across calls lock the mailbox; then the right PIN does not open it", async () => {
  const { guard, records } = guardOf(5);
  const call = async (pins: string[], source: string) => {
    const leg = new FakeLeg();
    keyPins(leg, pins);
    const end = await runMailbox(leg, {
      prompts,
      store: new MemoryMailbox(messages()),
      userId: "alice",
      findMailbox: async () => undefined,
      digitTimeoutMs: 500,
      pinGuard: guard,
      caller: { source },
    });
    return { end, leg };
  };
  // Two calls in parallel with three tries each: the fifth wrong PIN locks the box, and the sixth
  // is refused before it is checked, so both calls end on the lock.
  const results = await Promise.all([
    call(["1111", "1112", "1113"], "10.0.0.1"),
    call(["2221", "2222", "2223"], "10.0.0.2"),
  ]);
  assert.deepEqual(
    results.map((r) => r.end),
    ["locked", "locked"],
  );
  assert.ok(records.get("alice")!.bannedUntil > Date.now());
  assert.equal(records.get("alice")!.strikes, 1);
  for (const r of results) assert.ok(r.leg.played.includes(prompts.get("mailbox-locked")));

  // The right PIN, from a third source: the lock holds and nothing is played.
  const right = await call(["1234"], "10.0.0.3");
  assert.equal(right.end, "locked");
  assert.ok(right.leg.played.includes(prompts.get("mailbox-locked")));
  assert.ok(!right.leg.played.includes(prompts.get("enter-pin")), "no PIN is even asked for");
  assert.ok(!right.leg.played.includes(audio1));

  // Another mailbox is not affected.
  const leg = new FakeLeg();
  keyPins(leg, ["4321"]);
  const bobStore = new MemoryMailbox([]);
  bobStore.verifyPin = async (u, pin) => u === "bob" && pin === "4321";
  leg.onPlay = ((prev) => (i: number, s: Int16Array) => {
    prev(i, s);
    if (s === prompts.get("main-menu")) setImmediate(() => leg.digit("*"));
  })(leg.onPlay);
  const bob = await runMailbox(leg, {
    prompts,
    store: bobStore,
    userId: "bob",
    findMailbox: async () => undefined,
    digitTimeoutMs: 500,
    pinGuard: guard,
    caller: { source: "10.0.0.1" },
  });
  assert.equal(bob, "done");
});

test("a right PIN is reported to the guard with its length; an empty entry is not a guess", async () => {
  const { guard, records, succeeded } = guardOf(1);
  const leg = new FakeLeg();
  keyPins(leg, ["", "1234"]);
  leg.onPlay = ((prev) => (i: number, s: Int16Array) => {
    prev(i, s);
    if (s === prompts.get("main-menu")) setImmediate(() => leg.digit("*"));
  })(leg.onPlay);
  const end = await runMailbox(leg, {
    prompts,
    store: new MemoryMailbox([]),
    userId: "alice",
    findMailbox: async () => undefined,
    digitTimeoutMs: 500,
    pinGuard: guard,
    caller: { source: "10.0.0.1" },
  });
  assert.equal(end, "done");
  assert.deepEqual(succeeded, [4]);
  assert.equal(records.has("alice"), false, "the empty entry counted nothing");
});

test("calls keying wrong PINs at the same moment get no guess past the limit, however slow the check", async () => {
  const { guard, records } = guardOf(5);
  // The store's PIN hash takes its time (scrypt does): without one check at a time, calls whose
  // guesses overlap would each pass the lock before any of them counts.
  const slow = new MemoryMailbox(messages());
  let verified = 0;
  slow.verifyPin = async (u, pin) => {
    verified++;
    await new Promise((r) => setTimeout(r, 20));
    return u === "alice" && pin === "1234";
  };
  const call = async (pins: string[], source: string) => {
    const leg = new FakeLeg();
    keyPins(leg, pins);
    return runMailbox(leg, {
      prompts,
      store: slow,
      userId: "alice",
      findMailbox: async () => undefined,
      digitTimeoutMs: 500,
      pinGuard: guard,
      caller: { source },
    });
  };
  await Promise.all([
    call(["1111", "1112", "1113"], "10.0.0.1"),
    call(["2221", "2222", "2223"], "10.0.0.2"),
    call(["3331", "3332", "3333"], "10.0.0.3"),
  ]);
  // The fifth wrong PIN locked the box; no later guess was even checked.
  assert.equal(records.get("alice")!.strikes, 1);
  assert.equal(verified, 5, "PINs checked at all");
});

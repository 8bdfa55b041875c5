import assert from "node:assert/strict";
import { before, test } from "node:test";
import { generateTone } from "../../media/pcm.ts";
import { FakeLeg } from "./fake-leg.ts";
import { type MailboxMessage, type MailboxStore, runMailbox } from "./mailbox.ts";
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

// The deposit's answer to a store that finds no room (docs/security.md "Disk full"): the caller
// on the line hears the apology; one who hung up has the message held (200 to BYE) or, past the
// cap, a refused BYE. The recording itself is real, under a temp dir; the store is the stand-in.
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { FakeLeg } from "../../../test/support/fake-leg.ts";
import type { DepositedMessage } from "../../core/mailbox.ts";
import { generateTone } from "../../media/pcm.ts";
import { type DepositEnv, depositCall } from "./deposit-call.ts";
import { Prompts } from "./prompts.ts";

const noRoom = () =>
  Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
const log = pino({ level: "silent" });
let dir = "";
let prompts: Prompts;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnivox-fulldeposit-"));
  prompts = await Prompts.load();
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function env(over: Partial<DepositEnv> & { kept?: DepositedMessage[]; full?: unknown[] }) {
  const kept = over.kept ?? [];
  const full = over.full ?? [];
  const e: DepositEnv = {
    tmpDir: dir,
    voicemail: { maxMessageMs: 10_000, silenceMs: 1000, minMessageMs: 200, silenceLevel: 300 },
    prompts,
    greetingFor: async () => new Int16Array(160),
    deposit: async () => {
      throw noRoom();
    },
    storageFull: (err) => full.push(err),
    keepPending: (m) => {
      kept.push(m);
      return true;
    },
    ...over,
  };
  return e;
}

async function speak(leg: FakeLeg, frames = 50): Promise<void> {
  await leg.recording();
  for (let i = 0; i < frames; i++) leg.frame(generateTone(440, 20, 8000, 0.3));
}

test("the caller still on the line hears that the message was not saved; nothing is held", async () => {
  const kept: DepositedMessage[] = [];
  const full: unknown[] = [];
  const leg = new FakeLeg();
  const running = depositCall(env({ kept, full }), { leg, userId: "alice", callId: "c1", log });
  await speak(leg);
  leg.digit("#");
  await running;
  assert.equal(leg.played.at(-1), prompts.get("not-saved"), "the apology is the last prompt");
  assert.ok(!leg.played.includes(prompts.get("goodbye")), "no goodbye as if it were saved");
  assert.equal(kept.length, 0);
  assert.equal(full.length, 1);
  assert.deepEqual(await readdir(dir), [], "no recording left behind in tmp");
});

test("a caller who hung up has the message held, and the BYE is acknowledged", async () => {
  const kept: DepositedMessage[] = [];
  const leg = new FakeLeg();
  const running = depositCall(env({ kept }), { leg, userId: "alice", callId: "c2", log });
  await speak(leg, 60);
  await leg.remoteHangup();
  await running;
  assert.equal(leg.byeAcknowledged, true);
  assert.equal(kept.length, 1);
  assert.equal(kept[0]!.callId, "c2");
  assert.ok(Math.abs(kept[0]!.durationMs - 1200) <= 40, `${kept[0]!.durationMs} ms`);
  assert.ok(kept[0]!.audio.length > 9000, "the audio is in the held message");
  assert.ok(!leg.played.includes(prompts.get("not-saved")));
});

test("past the cap of held messages the BYE is refused (the loss is logged, not silent)", async () => {
  const leg = new FakeLeg();
  const running = depositCall(env({ keepPending: () => false }), {
    leg,
    userId: "alice",
    callId: "c3",
    log,
  });
  await speak(leg);
  await assert.rejects(leg.remoteHangup(), { code: "ENOSPC" });
  // Over SIP the 500 to BYE ends the dialog all the same; the fake leg needs telling.
  await leg.hangup();
  await assert.rejects(running, { code: "ENOSPC" });
});

test("other store errors are not taken for a full disk", async () => {
  const kept: DepositedMessage[] = [];
  const leg = new FakeLeg();
  const running = depositCall(
    env({
      kept,
      deposit: async () => {
        throw new Error("user vanished");
      },
    }),
    { leg, userId: "alice", callId: "c4", log },
  );
  await speak(leg);
  leg.digit("#");
  await assert.rejects(running, /user vanished/);
  assert.equal(kept.length, 0);
});

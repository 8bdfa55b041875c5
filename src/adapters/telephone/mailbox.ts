// Mailbox by phone (README "Telephone and voicemail"): PIN by DTMF, then the new messages with their envelope (caller,
// time), and keys 1 replay, 2 save, 3 delete, 4 next; 5 records the user's greeting, 6 the busy
// greeting (played when a call was diverted on busy); * hangs up. README "Mailbox by phone".
// Wrong PINs go to a guard that locks the mailbox across calls (docs/security.md "Voicemail PINs").

import type { GreetingKind, MailboxStore } from "../../core/mailbox.ts";
import type { PinAttempt } from "../../core/pin-lockout.ts";
import type { CallLeg } from "../../core/telephony.ts";
import { concatPcm } from "../../media/pcm.ts";
import { DigitInput } from "./digits.ts";
import type { Prompts } from "./prompts.ts";

/**
 * Counts PIN entries across calls (app/pin-guard.ts). `locked` and `failed` answer with the end
 * of a lock when the caller may not try (again) now; while locked no PIN is checked at all.
 */
export interface PinGuard {
  locked(userId: string, caller: PinAttempt): Promise<Date | undefined>;
  failed(userId: string, caller: PinAttempt): Promise<Date | undefined>;
  /** A right PIN; its length lets a PIN shorter than today's minimum be warned about. */
  succeeded(userId: string, caller: PinAttempt, pinLength: number): void;
  /**
   * Runs one PIN check of the mailbox at a time (lock, verify, count), so parallel calls keying
   * at once cannot each get a guess past the limit.
   */
  oneAtATime<T>(userId: string, work: () => Promise<T>): Promise<T>;
}

export interface MailboxOptions {
  prompts: Prompts;
  store: MailboxStore;
  /** Set when the mailbox is known from the call (the caller's number); otherwise asked. */
  userId?: string;
  /** Looks up a mailbox by the number the caller keys in. */
  findMailbox: (number: string) => Promise<string | undefined>;
  pinAttempts?: number;
  pinGuard?: PinGuard;
  /** Who is calling, for the guard: the SIP source and the caller's number. */
  caller?: PinAttempt;
  digitTimeoutMs?: number;
  maxGreetingMs?: number;
}

export type MailboxEnd = "done" | "bad-pin" | "hangup" | "no-mailbox" | "locked";

export async function runMailbox(leg: CallLeg, opts: MailboxOptions): Promise<MailboxEnd> {
  const input = new DigitInput(leg);
  const p = opts.prompts;
  const timeout = opts.digitTimeoutMs ?? 5000;
  let over = false;
  void leg.ended.then(() => {
    over = true;
  });
  try {
    const userId = opts.userId ?? (await opts.findMailbox(await input.collect(16, timeout)));
    if (!userId) return "no-mailbox";
    const guard = opts.pinGuard;
    const caller = opts.caller ?? { source: "unknown" };
    const refuse = async (): Promise<MailboxEnd> => {
      if (over) return "hangup";
      input.clear();
      await leg.play(p.get("mailbox-locked"));
      return "locked";
    };
    if (guard && (await guard.locked(userId, caller))) return await refuse();
    let authed = false;
    for (let i = 0; i < (opts.pinAttempts ?? 3) && !over && !authed; i++) {
      await input.say(p.get("enter-pin"));
      const pin = await input.collect(12, timeout);
      if (pin === "") {
        if (!over) await input.say(p.get("bad-pin"));
        continue;
      }
      // Asked again for every PIN, one call at a time: a parallel call may have locked the box.
      const step = async (): Promise<"ok" | "wrong" | "locked"> => {
        if (guard && (await guard.locked(userId, caller))) return "locked";
        if (await opts.store.verifyPin(userId, pin)) {
          guard?.succeeded(userId, caller, pin.length);
          return "ok";
        }
        if (guard && (await guard.failed(userId, caller))) return "locked";
        return "wrong";
      };
      const outcome = guard ? await guard.oneAtATime(userId, step) : await step();
      if (outcome === "locked") return await refuse();
      authed = outcome === "ok";
      if (authed) break;
      if (!over) await input.say(p.get("bad-pin"));
    }
    if (!authed) {
      if (!over) await leg.play(p.get("goodbye"));
      return over ? "hangup" : "bad-pin";
    }
    await playNewMessages(input, opts, userId);
    while (!over) {
      await input.say(p.get("main-menu"));
      const key = await input.next(timeout);
      if (key === "1") await playNewMessages(input, opts, userId);
      else if (key === "5") await recordGreeting(leg, input, opts, userId, "unavailable");
      else if (key === "6") await recordGreeting(leg, input, opts, userId, "busy");
      else if (key === "*" || key === undefined) break;
    }
    if (!over) await leg.play(p.get("goodbye"));
    return over ? "hangup" : "done";
  } finally {
    input.close();
  }
}

async function playNewMessages(
  input: DigitInput,
  opts: MailboxOptions,
  userId: string,
): Promise<void> {
  const p = opts.prompts;
  const messages = await opts.store.newMessages(userId);
  if (messages.length === 0) {
    await input.say(p.get("no-new-messages"));
    return;
  }
  await input.say(
    concatPcm([
      p.get("you-have"),
      p.number(messages.length),
      p.get(messages.length === 1 ? "new-message" : "new-messages"),
    ]),
  );
  for (const message of messages) {
    const envelope = concatPcm([
      p.get("message-from"),
      message.ani && /\d/.test(message.ani) ? p.digits(message.ani) : p.get("unknown-caller"),
      p.get("received"),
      p.time(message.receivedAt),
    ]);
    const audio = (await message.audio()) ?? new Int16Array(0);
    let action: string | undefined;
    do {
      input.clear();
      await input.say(envelope);
      await input.say(audio);
      await input.say(p.get("menu"));
      action = await input.next(opts.digitTimeoutMs ?? 5000);
    } while (action === "1");
    if (action === "2") {
      await opts.store.markSaved(userId, message.id);
      await input.say(p.get("saved"));
    } else if (action === "3") {
      await opts.store.delete(userId, message.id);
      await input.say(p.get("deleted"));
    } else if (action === undefined || action === "*") {
      return;
    }
  }
  await input.say(p.get("no-more"));
}

async function recordGreeting(
  leg: CallLeg,
  input: DigitInput,
  opts: MailboxOptions,
  userId: string,
  kind: GreetingKind,
): Promise<void> {
  const p = opts.prompts;
  await input.say(p.get(kind === "busy" ? "record-busy-greeting" : "record-greeting"));
  input.clear();
  await leg.play(p.beep());
  const frames: Int16Array[] = [];
  const maxFrames = Math.round((opts.maxGreetingMs ?? 60_000) / 20);
  const off = leg.onFrame((pcm) => {
    if (frames.length < maxFrames) frames.push(pcm.slice());
  });
  const key = await input.next(opts.maxGreetingMs ?? 60_000);
  off();
  if (key !== "#" || frames.length === 0) return;
  await opts.store.saveGreeting(userId, concatPcm(frames), kind);
  await input.say(p.get("greeting-saved"));
}

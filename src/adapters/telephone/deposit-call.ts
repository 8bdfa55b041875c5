// A deposit call from answer to goodbye (README "Telephone and voicemail": streaming STT, dual deposit,
// ICW): the recording is the one sink every frame reaches first; the transcriber and the
// live legacy copies are tees after it, so neither can slow or change what is stored.

import type { Logger } from "pino";
import type { WaitingCall } from "../../core/call-waiting.ts";
import type { DepositedMessage, GreetingKind } from "../../core/mailbox.ts";
import type { LiveDeposits } from "../../core/ports.ts";
import { isStorageFullError } from "../../core/storage-health.ts";
import type { CallLeg, CallParty } from "../../core/telephony.ts";
import { type RecordingSink, runDeposit } from "./deposit.ts";
import type { Prompts } from "./prompts.ts";
import { fileRecordingSink } from "./recording-sink.ts";
import type { DepositTranscriber } from "./transcript.ts";
import { type TranscriptStream, transcriptOf } from "./transcript.ts";

/** Which of the user's greetings a caller hears: "busy" when the call was diverted on busy. */
/** RFC 4458 §3.2 cause 486 (Busy Here) is the busy case; 408, 480, 302 and none are not. */
export function greetingKindOf(party: CallParty): GreetingKind {
  return party.cause === 486 ? "busy" : "unavailable";
}

/** What a deposit needs from the telephone service (its options and dependencies). */
export interface DepositEnv {
  tmpDir: string;
  voicemail: {
    maxMessageMs: number;
    silenceMs: number;
    minMessageMs: number;
    silenceLevel: number;
  };
  prompts: Prompts;
  greetingFor(userId: string, kind?: GreetingKind): Promise<Int16Array | undefined>;
  deposit(message: DepositedMessage): Promise<void>;
  /** A write ran out of room (ENOSPC, SQLITE_FULL …): /healthz turns degraded. */
  storageFull?(err: unknown): void;
  /**
   * Holds a message whose final write found no room, to be written when room returns (in
   * memory, bounded); false when it cannot be held. Only for callers who already hung up.
   */
  keepPending?(message: DepositedMessage): boolean;
  transcriber?: DepositTranscriber;
  liveDeposits?: LiveDeposits;
  transcribes?(userId: string): Promise<boolean>;
}

export interface DepositCall {
  leg: CallLeg;
  userId: string;
  callId: string;
  log: Logger;
  icw?: WaitingCall;
  /** An ICW user's text reply, spoken before the greeting. */
  reply?: Int16Array;
}

/** `sink` with `also` written after it: its own failures stay its own (abort reaches both). */
function tee(
  sink: RecordingSink,
  also: { write(pcm: Int16Array): void; abort?(): void },
): RecordingSink {
  return {
    write: (pcm) => {
      sink.write(pcm);
      also.write(pcm);
    },
    finish: () => sink.finish(),
    abort: async () => {
      also.abort?.();
      await sink.abort();
    },
  };
}

export async function depositCall(env: DepositEnv, call: DepositCall): Promise<void> {
  const { leg, userId, callId, log, icw } = call;
  const receivedAt = new Date();
  // Opened before the greeting, so the legacy boxes have answered when the caller speaks; the
  // call's end closes whatever a failure left open.
  const copy = env.liveDeposits?.open({ userId, callId, party: leg.party });
  if (copy) void leg.ended.then(() => copy.close());
  let audio: Uint8Array | undefined;
  // The transcriber hears exactly what is recorded, frame by frame, while the caller speaks.
  // A route with `transcribe: false` spends no STT on the message at all.
  const wanted = (await env.transcribes?.(userId)) ?? true;
  const stt = wanted ? env.transcriber : undefined;
  let stream: TranscriptStream | undefined;
  // Disk full (docs/security.md): whether the caller hung up decides between holding a message
  // that found no room (no one left to tell) and the apology (the caller can call again).
  let byeArrived = false;
  let hungUp = false;
  leg.beforeHangupAck(async () => {
    byeArrived = true;
  });
  void leg.ended.then(() => {
    hungUp = true;
  });
  let unsaved: DepositedMessage | undefined;
  const record = async (): Promise<RecordingSink> => {
    icw?.recording();
    let sink = await fileRecordingSink(
      env.tmpDir,
      callId,
      async (data) => {
        audio = data;
      },
      (err) => env.storageFull?.(err),
    );
    if (stt) {
      try {
        stream = stt.start();
        sink = tee(sink, stream);
      } catch (err) {
        log.warn({ err }, "cannot start the transcription");
      }
    }
    // The live copies get each frame after our recording has it, never instead of it.
    return copy ? tee(sink, { write: (pcm) => copy.write(pcm) }) : sink;
  };
  const greeting =
    (await env.greetingFor(userId, greetingKindOf(leg.party))) ?? env.prompts.get("greeting");
  const vm = env.voicemail;
  if (call.reply) await leg.play(call.reply);
  const result = await runDeposit(
    leg,
    record,
    {
      greeting,
      beep: env.prompts.beep(),
      maxMs: vm.maxMessageMs,
      silenceMs: vm.silenceMs,
      minMs: vm.minMessageMs,
      silenceLevel: vm.silenceLevel,
    },
    async (r) => {
      // The legacy legs end with the recording, not after the transcript.
      const extraTargets = (await copy?.finish()) ?? [];
      const heard = stream && stt ? await transcriptOf(stream, stt, userId, callId, log) : {};
      const message: DepositedMessage = {
        userId,
        audio: audio!,
        durationMs: r.durationMs,
        party: leg.party,
        callId,
        receivedAt,
        ...heard,
        ...(extraTargets.length > 0 ? { extraTargets } : {}),
      };
      try {
        await env.deposit(message);
      } catch (err) {
        if (!isStorageFullError(err)) throw err;
        env.storageFull?.(err);
        if (!byeArrived) {
          unsaved = message;
          return;
        }
        // The 200 to this BYE then means "held in memory until the disk has room"; a 500 that
        // nobody can act on is all that is left when even that is full.
        if (env.keepPending?.(message)) return;
        log.error({ err, userId, durationMs: r.durationMs }, "voicemail lost: no room to keep it");
        throw err;
      }
    },
  );
  copy?.close();
  log.info(
    { kept: result.kept, durationMs: result.durationMs, endedBy: result.endedBy },
    "deposit finished",
  );
  if (unsaved) return apologise(env, leg, unsaved, log, () => hungUp);
  // Taken over: the caller talked to the new leg until one side hung up; no goodbye then.
  if (await icw?.afterRecording()) return;
  if (result.kept && result.endedBy !== "hangup") await leg.play(env.prompts.get("goodbye"));
}

/**
 * The message found no room while the caller is still on the line: they hear that it was not
 * saved and can call again, since a copy held in memory would not survive a restart. One who
 * hangs up before the apology ends may not have heard it: theirs is held like any other.
 */
async function apologise(
  env: DepositEnv,
  leg: CallLeg,
  message: DepositedMessage,
  log: Logger,
  hungUp: () => boolean,
): Promise<void> {
  const what = { userId: message.userId, durationMs: message.durationMs };
  if (!hungUp()) await leg.play(env.prompts.get("not-saved"));
  if (!hungUp()) {
    log.error(what, "voicemail not saved: no room on disk; the caller was told");
  } else if (!env.keepPending?.(message)) {
    log.error(what, "voicemail lost: no room to keep it");
  }
}

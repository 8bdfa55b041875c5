// Transcripts of deposits (docs/architecture.md "Systems and conversions" voice → text): the stream
// the recorded frames are fed to while the caller speaks, and the bounded wait for its result once
// the recording is durable.

import type { Logger } from "pino";

/** A transcription fed with the recorded frames while the caller speaks (an STT stream). */
export interface TranscriptStream {
  write(frame: Int16Array): void;
  end(): Promise<{ text: string }>;
  abort(): void;
}

export interface DepositTranscriber {
  start(): TranscriptStream;
  /** How long the message waits, after the recording is durable, for its transcript. */
  readonly waitMs: number;
  /** A transcript that came after the message was stored without one. */
  late(userId: string, messageId: string, text: string): Promise<void>;
}

/**
 * Ends the transcription and waits up to `waitMs` for it, after the recording file is durable and
 * before the message is stored and routed — so the mail and chat renditions carry the transcript.
 * The choice: since the stream was fed during the call a streaming engine is done at once, and a
 * whole-recording engine (HTTP) usually answers well within the wait; when the caller hangs up
 * this does hold the 200 OK to BYE for that time, bounded by `waitMs` (speech.transcriptWaitMs).
 * A transcript later than that is patched into the stored message only (`late`), the renditions
 * go without it, with a note; a failed one becomes a note — the message is never held back.
 */
export async function transcriptOf(
  stream: TranscriptStream,
  stt: DepositTranscriber,
  userId: string,
  callId: string,
  log: Logger,
): Promise<{ transcript?: string; warnings?: string[] }> {
  const ending = stream.end().then(
    (r) => ({ ok: true as const, text: r.text.trim() }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), stt.waitMs);
  });
  const outcome = await Promise.race([ending, late]);
  clearTimeout(timer);
  if (!outcome) {
    ending.then((r) => {
      if (r.ok && r.text !== "")
        stt.late(userId, callId, r.text).catch((err) => log.warn({ err }, "late transcript lost"));
      else if (!r.ok) log.warn({ err: r.err }, "transcription failed");
    });
    return { warnings: [`The transcript was not ready within ${stt.waitMs} ms.`] };
  }
  if (!outcome.ok) {
    log.warn({ err: outcome.err }, "transcription failed");
    const reason = outcome.err instanceof Error ? outcome.err.message : String(outcome.err);
    return { warnings: [`No transcript: ${reason}`] };
  }
  return outcome.text === "" ? {} : { transcript: outcome.text };
}

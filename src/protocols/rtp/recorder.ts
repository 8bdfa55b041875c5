// Records a session's received audio to a WAV file frame by frame as it arrives, and hands the
// same frames to taps (live relay, screening, speech-to-text) in the same moment.
import { FRAME_MS, TELEPHONE_RATE } from "../../media/pcm.ts";
import type { WavEncoding } from "../../media/wav.ts";
import { WavFileWriter, type WavWriterResult } from "../../media/wav-writer.ts";
import type { FrameInfo, FrameListener } from "./jitter.ts";

/** What a recorder listens to: an RtpSession, or anything else that emits frames. */
export interface FrameSource {
  addFrameListener(listener: FrameListener): () => void;
  /** Pushes out frames still held back (the reorder window) before the recording ends. */
  drain?(): void;
}

export interface CallRecorderOptions {
  /**
   * "pcm16" by default: lossless for calls in either law, the writer's copy-only path, and
   * what every player and STT engine reads. "ulaw"/"alaw" halve the disk at one more
   * quantisation (none when the call's own law is chosen, since its decode is exact).
   */
  encoding?: WavEncoding;
  overwrite?: boolean;
  onError?: (error: unknown) => void;
}

export interface RecordingResult extends WavWriterResult {
  /** Frames that were silence put in place of lost packets. */
  filledFrames: number;
}

export class CallRecorder {
  readonly path: string;
  readonly #writer: WavFileWriter;
  readonly #taps: FrameListener[] = [];
  readonly #onError: CallRecorderOptions["onError"];
  #source: FrameSource | null = null;
  #detach: (() => void) | null = null;
  #frames = 0;
  #filled = 0;
  #error: unknown = null;
  #ended = false;
  #closing: Promise<RecordingResult> | null = null;

  private constructor(writer: WavFileWriter, onError: CallRecorderOptions["onError"]) {
    this.path = writer.path;
    this.#writer = writer;
    this.#onError = onError;
  }

  /** Creates the file and, given a source, starts recording its frames. */
  static async open(
    path: string,
    source: FrameSource | null,
    options: CallRecorderOptions = {},
  ): Promise<CallRecorder> {
    const writer = await WavFileWriter.open(
      path,
      { encoding: options.encoding ?? "pcm16", sampleRate: TELEPHONE_RATE },
      { overwrite: options.overwrite },
    );
    const recorder = new CallRecorder(writer, options.onError);
    if (source !== null) recorder.attach(source);
    return recorder;
  }

  /** Starts taking frames from `source` (one source at a time). */
  attach(source: FrameSource): void {
    if (this.#source !== null) throw new Error(`recorder for ${this.path} already has a source`);
    this.#source = source;
    this.#detach = source.addFrameListener(this.onFrame);
  }

  /** Milliseconds recorded so far, filled gaps included. */
  get durationMs(): number {
    return this.#frames * FRAME_MS;
  }

  get filledFrames(): number {
    return this.#filled;
  }

  /** Gives `listener` every frame from now on, right after it is written; returns its removal. */
  tap(listener: FrameListener): () => void {
    this.#taps.push(listener);
    return () => {
      const i = this.#taps.indexOf(listener);
      if (i >= 0) this.#taps.splice(i, 1);
    };
  }

  /** The frame listener; also usable directly when frames come from elsewhere. */
  readonly onFrame: FrameListener = (pcm: Int16Array, info: Readonly<FrameInfo>): void => {
    if (this.#ended) return;
    if (this.#error === null) {
      try {
        this.#writer.write(pcm);
        this.#frames++;
        if (info.filled) this.#filled++;
      } catch (error) {
        // A full disk must not stop the call or the taps; close() reports it.
        this.#error = error;
        this.#report(error);
      }
    }
    const taps = this.#taps;
    for (let i = 0; i < taps.length; i++) {
      try {
        taps[i]!(pcm, info);
      } catch (error) {
        this.#report(error);
      }
    }
  };

  /** Drains the source, detaches, and finalises the file (sizes patched, fsynced). */
  close(): Promise<RecordingResult> {
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  /** Stops and deletes the file. */
  async abort(): Promise<void> {
    this.#stopListening(false);
    this.#closing ??= Promise.reject(new Error("recording aborted"));
    this.#closing.catch(() => {});
    await this.#writer.abort();
  }

  async #finish(): Promise<RecordingResult> {
    this.#stopListening(true);
    if (this.#error !== null) {
      await this.#writer.abort();
      throw this.#error;
    }
    const result = await this.#writer.close();
    return { ...result, filledFrames: this.#filled };
  }

  #stopListening(drain: boolean): void {
    if (drain && this.#source !== null) {
      const source = this.#source;
      source.drain?.(); // the tail still in the reorder window belongs to this recording
    }
    this.#ended = true;
    this.#detach?.();
    this.#detach = null;
    this.#source = null;
  }

  #report(error: unknown): void {
    try {
      this.#onError?.(error);
    } catch {
      // nowhere left to report
    }
  }
}

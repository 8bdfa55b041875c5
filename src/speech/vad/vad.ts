// Voice activity detection with the WebRTC VAD (libfvad compiled to WASM, @echogarden/fvad-wasm):
// a per-frame speech/non-speech decision for 10, 20 or 30 ms frames at 8, 16, 32 or 48 kHz.

import type { FvadModule } from "@echogarden/fvad-wasm";
import { SpeechEngineMissingError, SpeechFailedError } from "../errors.ts";

export type VadMode = 0 | 1 | 2 | 3;
export const VAD_RATES = [8000, 16000, 32000, 48000] as const;

export interface VadOptions {
  /** 0 (quality: calls more frames speech) .. 3 (very aggressive: fewer false speech frames). */
  mode?: VadMode;
  sampleRate?: number;
}

export interface Vad {
  readonly sampleRate: number;
  /** A 10, 20 or 30 ms frame (160 samples is 20 ms at 8 kHz). */
  isSpeech(frame: Int16Array): boolean;
  /** Forgets the history the detector adapts to, for a new call. */
  reset(): void;
  close(): void;
}

let modulePromise: Promise<FvadModule> | undefined;

function loadFvad(): Promise<FvadModule> {
  modulePromise ??= import("@echogarden/fvad-wasm")
    .then((mod) => mod.default())
    .catch((err: unknown) => {
      modulePromise = undefined;
      throw new SpeechEngineMissingError("webrtc-vad", "the npm package @echogarden/fvad-wasm", {
        cause: err,
      });
    });
  return modulePromise;
}

/** Frame lengths, in samples, that libfvad accepts at a rate. */
export function vadFrameSizes(rate: number): number[] {
  return [10, 20, 30].map((ms) => (rate / 1000) * ms);
}

export async function createVad(opts: VadOptions = {}): Promise<Vad> {
  const mode = opts.mode ?? 2;
  const sampleRate = opts.sampleRate ?? 8000;
  if (!(VAD_RATES as readonly number[]).includes(sampleRate)) {
    throw new RangeError(
      `VAD sample rate must be one of ${VAD_RATES.join(", ")}, not ${sampleRate}`,
    );
  }
  if (![0, 1, 2, 3].includes(mode)) throw new RangeError(`VAD mode must be 0..3, not ${mode}`);
  const m = await loadFvad();
  let inst = m._fvad_new();
  if (inst === 0) throw new SpeechFailedError("fvad_new failed (out of memory)");
  if (m._fvad_set_mode(inst, mode) !== 0 || m._fvad_set_sample_rate(inst, sampleRate) !== 0) {
    m._fvad_free(inst);
    throw new SpeechFailedError("fvad rejected its settings");
  }
  const sizes = vadFrameSizes(sampleRate);
  const maxFrame = sizes[sizes.length - 1]!;
  const buf = m._malloc(maxFrame * 2);
  return {
    sampleRate,
    isSpeech(frame: Int16Array): boolean {
      if (inst === 0) throw new Error("VAD is closed");
      if (!sizes.includes(frame.length)) {
        throw new RangeError(
          `VAD frame must be ${sizes.join(", ")} samples at ${sampleRate} Hz, not ${frame.length}`,
        );
      }
      // Read HEAP16 afresh: a heap growth elsewhere in the module replaces the view.
      m.HEAP16.set(frame, buf >> 1);
      return m._fvad_process(inst, buf, frame.length) === 1;
    },
    reset(): void {
      if (inst === 0) return;
      // fvad_reset also restores the default mode and rate, so set them again.
      m._fvad_reset(inst);
      m._fvad_set_mode(inst, mode);
      m._fvad_set_sample_rate(inst, sampleRate);
    },
    close(): void {
      if (inst === 0) return;
      m._fvad_free(inst);
      m._free(buf);
      inst = 0;
    },
  };
}

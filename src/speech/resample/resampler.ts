// Sample-rate conversion (e.g. TTS output at 22050 Hz to the 8 kHz telephone rate) with the
// SpeexDSP resampler compiled to WASM (@echogarden/speex-resampler-wasm, speex_resampler.h API).

import type { SpeexResamplerModule } from "@echogarden/speex-resampler-wasm";
import { SpeechEngineMissingError, SpeechFailedError } from "../errors.ts";

/** SpeexDSP quality 0..10; 6 keeps a tone above the new Nyquist ≥ 40 dB down at modest cost. */
export const DEFAULT_QUALITY = 6;

/** Input is fed in blocks so the WASM heap stays small whatever the message length. */
const BLOCK = 4096;

let modulePromise: Promise<SpeexResamplerModule> | undefined;

function loadSpeex(): Promise<SpeexResamplerModule> {
  modulePromise ??= import("@echogarden/speex-resampler-wasm")
    .then((mod) => mod.default())
    .catch((err: unknown) => {
      modulePromise = undefined;
      throw new SpeechEngineMissingError(
        "speex-resampler",
        "the npm package @echogarden/speex-resampler-wasm",
        { cause: err },
      );
    });
  return modulePromise;
}

/** A streaming resampler for one mono channel: feed chunks with process(), then flush(). */
export class Resampler {
  readonly #m: SpeexResamplerModule;
  #state: number;
  /** One allocation: two uint32 length slots, then the input block, then the output block. */
  readonly #scratch: number;
  readonly #outCapacity: number;
  readonly #latency: number;

  private constructor(
    m: SpeexResamplerModule,
    readonly fromRate: number,
    readonly toRate: number,
    quality: number,
  ) {
    this.#m = m;
    const err = m._malloc(4);
    this.#state = m._speex_resampler_init(1, fromRate, toRate, quality, err);
    const code = m.HEAP32[err >> 2]!;
    m._free(err);
    if (this.#state === 0 || code !== 0) {
      throw new SpeechFailedError(`speex resampler init failed (${fromRate}→${toRate}): ${code}`);
    }
    // Without this the output starts with the filter's delay as silence and lags the input.
    m._speex_resampler_skip_zeros(this.#state);
    this.#latency = m._speex_resampler_get_input_latency(this.#state);
    this.#outCapacity = Math.ceil((BLOCK * toRate) / fromRate) + 64;
    this.#scratch = m._malloc(8 + BLOCK * 2 + this.#outCapacity * 2);
  }

  static async create(fromRate: number, toRate: number, quality = DEFAULT_QUALITY) {
    for (const rate of [fromRate, toRate]) {
      if (!Number.isInteger(rate) || rate <= 0) throw new RangeError(`bad sample rate ${rate}`);
    }
    return new Resampler(await loadSpeex(), fromRate, toRate, quality);
  }

  process(input: Int16Array): Int16Array {
    if (this.#state === 0) throw new Error("Resampler is closed");
    const m = this.#m;
    const lens = this.#scratch >> 2;
    const inPtr = this.#scratch + 8;
    const outPtr = inPtr + BLOCK * 2;
    const parts: Int16Array[] = [];
    let total = 0;
    for (let pos = 0; pos < input.length; ) {
      const n = Math.min(BLOCK, input.length - pos);
      m.HEAP16.set(input.subarray(pos, pos + n), inPtr >> 1);
      m.HEAPU32[lens] = n;
      m.HEAPU32[lens + 1] = this.#outCapacity;
      const rc = m._speex_resampler_process_int(
        this.#state,
        0,
        inPtr,
        this.#scratch,
        outPtr,
        this.#scratch + 4,
      );
      if (rc !== 0) throw new SpeechFailedError(`speex resampler process failed: ${rc}`);
      const used = m.HEAPU32[lens]!;
      const produced = m.HEAPU32[lens + 1]!;
      if (produced > 0) {
        parts.push(m.HEAP16.slice(outPtr >> 1, (outPtr >> 1) + produced));
        total += produced;
      }
      // The output block is sized for a whole input block, so speex always consumes something.
      pos += used > 0 ? used : n;
    }
    if (parts.length === 1) return parts[0]!;
    const out = new Int16Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Pushes the samples still inside the filter out by feeding its latency in zeros. */
  flush(): Int16Array {
    return this.process(new Int16Array(this.#latency));
  }

  close(): void {
    if (this.#state === 0) return;
    this.#m._speex_resampler_destroy(this.#state);
    this.#m._free(this.#scratch);
    this.#state = 0;
  }
}

/** Resamples a whole signal; the result has exactly round(n · toRate / fromRate) samples. */
export async function resample(
  samples: Int16Array,
  fromRate: number,
  toRate: number,
  quality = DEFAULT_QUALITY,
): Promise<Int16Array> {
  if (fromRate === toRate) return samples.slice();
  const r = await Resampler.create(fromRate, toRate, quality);
  try {
    const want = Math.round((samples.length * toRate) / fromRate);
    const head = r.process(samples);
    const tail = head.length < want ? r.flush() : new Int16Array(0);
    const out = new Int16Array(want);
    out.set(head.subarray(0, want));
    if (head.length < want) out.set(tail.subarray(0, want - head.length), head.length);
    return out;
  } finally {
    r.close();
  }
}

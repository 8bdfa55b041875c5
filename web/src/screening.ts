// Live screening of a call: reads the server's open-ended WAV stream (RIFF/WAVE,
// PCM16 or G.711 per RFC 2361 tags) with fetch and plays each chunk as it arrives through Web
// Audio into a MediaStream, which an <audio> element plays: Chromium's own WAV demuxer waits for
// about 120 KB (7 s of 8 kHz audio) before it starts, far too late for screening.

/** Scheduling slack: chunks that arrive a little late still join without a gap. */
const JITTER_S = 0.15;

interface Format {
  tag: number;
  channels: number;
  rate: number;
  bytesPerSample: number;
}

/** G.711 (ITU-T G.711 §A and §µ) to linear, as the table-free formulas. */
function ulaw(b: number): number {
  const u = ~b & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return (u & 0x80 ? 0x84 - t : t - 0x84) / 32768;
}
function alaw(b: number): number {
  const a = b ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  t = seg === 0 ? t + 8 : seg === 1 ? t + 0x108 : (t + 0x108) << (seg - 1);
  return (a & 0x80 ? t : -t) / 32768;
}

/** The format and where the samples start, once the header is complete; undefined before. */
function parseHeader(b: Uint8Array): { format: Format; dataAt: number } | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const tag = (at: number) => String.fromCharCode(...b.subarray(at, at + 4));
  if (b.length < 12) return undefined;
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new Error("the screening stream is not WAV");
  let at = 12;
  let format: Format | undefined;
  while (at + 8 <= b.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    if (id === "data") {
      if (!format) throw new Error("the screening stream has no fmt chunk");
      return { format, dataAt: at + 8 };
    }
    if (at + 8 + size > b.length) return undefined;
    if (id === "fmt ") {
      const code = view.getUint16(at + 8, true);
      const bits = view.getUint16(at + 22, true);
      format = {
        tag: code,
        channels: view.getUint16(at + 10, true),
        rate: view.getUint32(at + 12, true),
        bytesPerSample: bits / 8,
      };
      if (!((code === 1 && bits === 16) || ((code === 6 || code === 7) && bits === 8))) {
        throw new Error(
          `the screening stream's audio (format ${code}, ${bits} bit) is not playable`,
        );
      }
    }
    at += 8 + size + (size & 1);
  }
  return undefined;
}

export class LiveScreening {
  readonly stream: MediaStream;
  readonly #ctx = new AudioContext();
  readonly #analyser: AnalyserNode;
  readonly #dest: MediaStreamAudioDestinationNode;
  readonly #abort = new AbortController();
  #next = 0;
  /** Seconds of the caller's audio received so far. */
  received = 0;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {
    this.#dest = this.#ctx.createMediaStreamDestination();
    this.#analyser = this.#ctx.createAnalyser();
    this.#analyser.fftSize = 512;
    this.#analyser.connect(this.#dest);
    this.stream = this.#dest.stream;
  }

  /** Resolves when the recording ends; rejects with a message a user can read. */
  async run(): Promise<void> {
    const res = await fetch(this.url, {
      headers: { authorization: `Bearer ${this.token}` },
      signal: this.#abort.signal,
    });
    if (!res.ok || !res.body) throw new Error(`the recording cannot be heard (HTTP ${res.status})`);
    const reader = res.body.getReader();
    let pending = new Uint8Array(0);
    let header: ReturnType<typeof parseHeader>;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      const joined = new Uint8Array(pending.length + value.length);
      joined.set(pending);
      joined.set(value, pending.length);
      pending = joined;
      if (!header) {
        header = parseHeader(pending);
        if (!header) continue;
        pending = pending.subarray(header.dataAt);
      }
      const frame = header.format.bytesPerSample * header.format.channels;
      const usable = pending.length - (pending.length % frame);
      if (usable > 0) this.#play(header.format, pending.subarray(0, usable));
      pending = pending.slice(usable);
    }
  }

  /** The caller's loudness now, 0…1 (RMS of the last few milliseconds). */
  level(): number {
    const samples = new Float32Array(this.#analyser.fftSize);
    this.#analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    return Math.min(1, Math.sqrt(sum / samples.length) * 4);
  }

  stop(): void {
    this.#abort.abort();
    void this.#ctx.close();
  }

  #play(f: Format, bytes: Uint8Array): void {
    const frames = bytes.length / (f.bytesPerSample * f.channels);
    const buffer = this.#ctx.createBuffer(1, frames, f.rate);
    const out = buffer.getChannelData(0);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Only the first channel: a caller is one voice.
    for (let i = 0; i < frames; i++) {
      const at = i * f.bytesPerSample * f.channels;
      const b = bytes[at] ?? 0;
      out[i] = f.tag === 1 ? view.getInt16(at, true) / 32768 : f.tag === 7 ? ulaw(b) : alaw(b);
    }
    const source = this.#ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(this.#analyser);
    const now = this.#ctx.currentTime;
    if (this.#next < now) this.#next = now + JITTER_S;
    source.start(this.#next);
    this.#next += buffer.duration;
    this.received += buffer.duration;
  }
}

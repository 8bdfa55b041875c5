// Streaming RIFF WAVE writer for call recording: frames are batched into large positional writes,
// and close() patches the RIFF/fact/data sizes and fsyncs file and directory before resolving.
// With `keepOnError` a failed write (a full disk) loses nothing: what could not be written stays
// in memory and salvage() returns the whole file as bytes.
import { type FileHandle, open, readFile, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { encodeAlaw, encodeUlaw } from "./g711.ts";
import {
  bytesPerSample,
  encodeWav,
  LITTLE_ENDIAN_HOST,
  type WavEncoding,
  type WavFormat,
  wavHeader,
} from "./wav.ts";

export interface WavWriterOptions {
  /** Bytes gathered before one write is issued; 64 KiB is 4 s of 8 kHz 16-bit audio. */
  bufferBytes?: number;
  /** Replace an existing file; by default opening fails if the path exists. */
  overwrite?: boolean;
  /**
   * After a failed write, keep accepting samples and hold every byte not on disk in memory (the
   * caller bounds the length), for salvage(); close() still rejects with the write's error.
   */
  keepOnError?: boolean;
  /** Told once, at the first failed write (e.g. ENOSPC), while recording goes on. */
  onError?: (error: unknown) => void;
}

export interface WavWriterResult {
  path: string;
  frames: number;
  dataBytes: number;
  durationMs: number;
}

const MAX_DATA_BYTES = 0xffffffff - 64; // RIFF sizes are 32-bit; leave room for the header

export class WavFileWriter {
  readonly encoding: WavEncoding;
  readonly channels: number;
  #buffer: Buffer;
  #fill: number;
  #position = 0; // file offset of #buffer[0]
  #dataBytes = 0;
  #pending: Promise<void> = Promise.resolve();
  #spare: Buffer[] = [];
  #error: unknown = null;
  #closing: Promise<WavWriterResult> | null = null;
  /** keepOnError: file offset up to which writes succeeded, and the bytes after it, in order. */
  #failedAt = -1;
  readonly #unwritten: Buffer[] = [];
  #handleClosed = false;

  private constructor(
    readonly path: string,
    readonly format: WavFormat,
    private readonly handle: FileHandle,
    bufferBytes: number,
    private readonly options: WavWriterOptions = {},
  ) {
    this.encoding = format.encoding;
    this.channels = format.channels ?? 1;
    // Placeholder sizes (0xFFFFFFFF) make a file cut off by a crash readable as "to the end".
    const header = wavHeader(format, null);
    this.#buffer = Buffer.allocUnsafe(Math.max(bufferBytes, header.length));
    header.copy(this.#buffer, 0);
    this.#fill = header.length;
  }

  static async open(
    path: string,
    format: WavFormat,
    options: WavWriterOptions = {},
  ): Promise<WavFileWriter> {
    const bufferBytes = options.bufferBytes ?? 64 * 1024;
    if (!Number.isInteger(bufferBytes) || bufferBytes < 64) {
      throw new RangeError(`bad bufferBytes ${bufferBytes}`);
    }
    wavHeader(format, null); // validates the format before a file is created
    const handle = await open(path, options.overwrite ? "w" : "wx");
    return new WavFileWriter(path, format, handle, bufferBytes, options);
  }

  /** Samples per channel written so far. */
  get frames(): number {
    return this.#dataBytes / (bytesPerSample(this.encoding) * this.channels);
  }

  /** Appends linear samples (interleaved if multi-channel), encoding them to the file's format. */
  write(samples: Int16Array): void {
    this.#check(samples.length * bytesPerSample(this.encoding));
    if (samples.length % this.channels !== 0) {
      throw new RangeError(`${samples.length} samples is not a whole number of frames`);
    }
    if (this.encoding === "pcm16" && LITTLE_ENDIAN_HOST) {
      this.#append(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
      return;
    }
    let offset = 0;
    while (offset < samples.length) {
      const room = this.#buffer.length - this.#fill;
      const take = Math.min(samples.length - offset, this.encoding === "pcm16" ? room >> 1 : room);
      if (take === 0) {
        this.#dispatch();
        continue;
      }
      const part = samples.subarray(offset, offset + take);
      const dst = this.#buffer.subarray(this.#fill);
      if (this.encoding === "ulaw") encodeUlaw(part, dst);
      else if (this.encoding === "alaw") encodeAlaw(part, dst);
      else for (let i = 0; i < take; i++) dst.writeInt16LE(part[i]!, i * 2);
      this.#fill += take * bytesPerSample(this.encoding);
      offset += take;
    }
    this.#dataBytes += samples.length * bytesPerSample(this.encoding);
  }

  /**
   * Appends bytes already in the file's encoding (an RTP G.711 payload into a µ-law file,
   * little-endian PCM into a PCM file) without decoding them.
   */
  writeEncoded(bytes: Uint8Array): void {
    this.#check(bytes.length);
    if (bytes.length % (bytesPerSample(this.encoding) * this.channels) !== 0) {
      throw new RangeError(`${bytes.length} bytes is not a whole number of frames`);
    }
    this.#append(bytes);
  }

  /** Issues the buffered bytes to the file (no fsync) and waits for the writes so far. */
  async flush(): Promise<void> {
    this.#dispatch();
    await this.#pending;
    if (this.#error !== null) throw this.#error;
  }

  /** Writes what is buffered, patches the header sizes, fsyncs and closes. Idempotent. */
  close(): Promise<WavWriterResult> {
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  /** Closes and deletes the file (a recording that is not to be kept). */
  async abort(): Promise<void> {
    this.#closing ??= Promise.reject(new Error("recording aborted"));
    this.#closing.catch(() => {});
    await this.#pending;
    await this.handle.close().catch(() => {});
    await unlink(this.path).catch(() => {});
  }

  async #finish(): Promise<WavWriterResult> {
    try {
      if (this.#dataBytes & 1) this.#append(Uint8Array.of(0), false); // RIFF pad byte
      this.#dispatch();
      await this.#pending;
      if (this.#error !== null) throw this.#error;
      const header = wavHeader(this.format, this.#dataBytes);
      await this.handle.write(header, 0, header.length, 0);
      await this.handle.sync();
    } finally {
      this.#handleClosed = true;
      await this.handle.close();
    }
    await syncDirectory(dirname(this.path));
    const rate = this.format.sampleRate;
    return {
      path: this.path,
      frames: this.frames,
      dataBytes: this.#dataBytes,
      durationMs: (this.frames * 1000) / rate,
    };
  }

  /**
   * keepOnError: the whole file (header with the final sizes, every sample written) from what
   * reached the disk and what is held in memory; the file is removed. Use after close() failed,
   * or instead of it. Rejects when the file cannot even be read back.
   */
  async salvage(): Promise<Buffer> {
    if (!this.options.keepOnError) throw new Error("salvage() needs keepOnError");
    if (this.#closing === null) {
      this.#closing = Promise.reject(new Error(`WAV writer for ${this.path} was salvaged`));
      this.#closing.catch(() => {});
    } else {
      await this.#closing.catch(() => {});
    }
    this.#dispatch();
    await this.#pending;
    if (!this.#handleClosed) {
      this.#handleClosed = true;
      await this.handle.close().catch(() => {});
    }
    const written = this.#failedAt >= 0 ? this.#failedAt : this.#position;
    const onDisk = written > 0 ? (await readFile(this.path)).subarray(0, written) : Buffer.alloc(0);
    if (onDisk.length < written) throw new Error(`${this.path} is shorter than what was written`);
    const stream = Buffer.concat([onDisk, ...this.#unwritten]);
    const start = wavHeader(this.format, null).length;
    await unlink(this.path).catch(() => {});
    return encodeWav(this.format, stream.subarray(start, start + this.#dataBytes));
  }

  #check(bytes: number): void {
    if (this.#closing !== null) throw new Error(`WAV writer for ${this.path} is closed`);
    if (this.#error !== null && !this.options.keepOnError) throw this.#error;
    if (this.#dataBytes + bytes > MAX_DATA_BYTES) {
      throw new RangeError(`${this.path} would exceed the 4 GiB RIFF limit`);
    }
  }

  #append(bytes: Uint8Array, counts = true): void {
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(bytes.length - offset, this.#buffer.length - this.#fill);
      this.#buffer.set(bytes.subarray(offset, offset + take), this.#fill);
      this.#fill += take;
      offset += take;
      if (this.#fill === this.#buffer.length) this.#dispatch();
    }
    if (counts) this.#dataBytes += bytes.length;
  }

  // Swaps in a spare buffer and queues a positional write of the full one; writes are chained so
  // they reach the file in order, and buffers return to the spare list once written.
  #dispatch(): void {
    if (this.#fill === 0) return;
    const chunk = this.#buffer;
    const length = this.#fill;
    const position = this.#position;
    this.#position += length;
    this.#buffer = this.#spare.pop() ?? Buffer.allocUnsafe(chunk.length);
    this.#fill = 0;
    this.#pending = this.#pending.then(async () => {
      if (this.#error !== null) {
        if (this.options.keepOnError) this.#unwritten.push(chunk.subarray(0, length));
        return;
      }
      let done = 0;
      try {
        while (done < length) {
          const { bytesWritten } = await this.handle.write(
            chunk,
            done,
            length - done,
            position + done,
          );
          done += bytesWritten;
        }
        this.#spare.push(chunk);
      } catch (error) {
        this.#error = error;
        if (this.options.keepOnError) {
          this.#failedAt = position + done;
          this.#unwritten.push(chunk.subarray(done, length));
        }
        this.options.onError?.(error);
      }
    });
  }
}

// A new file's directory entry is only durable once the directory itself is synced.
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the file itself is synced.
  } finally {
    await handle?.close();
  }
}

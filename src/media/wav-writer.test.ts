// Tests for the streaming WAVE writer: batching, size patching, encodings, and sox's reading of
// the result when sox is installed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { peer } from "../../test/support/peers.ts";
import { linearToUlaw } from "./g711.ts";
import { FRAME_SAMPLES, frames, generateSweep } from "./pcm.ts";
import { parseWav, readWavFile, wavToPcm16 } from "./wav.ts";
import { WavFileWriter } from "./wav-writer.ts";

const sweep = generateSweep(300, 3400, 1000); // 8000 samples, 50 frames

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnivox-wav-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function soxInfo(path: string): string | null {
  const result = spawnSync("sox", ["--i", path], { encoding: "utf8" });
  if (result.error) return null;
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

const soxPeer = peer("sox", "sox");

describe("WavFileWriter", () => {
  it("records PCM frames in batches and patches the sizes on close", async () => {
    const path = join(dir, "pcm.wav");
    const writer = await WavFileWriter.open(path, { encoding: "pcm16", sampleRate: 8000 });
    for (const frame of frames(sweep.subarray(0, 10 * FRAME_SAMPLES))) writer.write(frame);
    assert.equal((await stat(path)).size, 0, "10 frames stay in the 64 KiB buffer");
    for (const frame of frames(sweep.subarray(10 * FRAME_SAMPLES))) writer.write(frame);
    const result = await writer.close();
    assert.deepEqual(result, { path, frames: 8000, dataBytes: 16000, durationMs: 1000 });
    const wav = await readWavFile(path);
    assert.equal(wav.frames, 8000);
    assert.deepEqual(wavToPcm16(wav), sweep);
  });

  it("writes across many small buffers in order", async () => {
    const path = join(dir, "small.wav");
    const writer = await WavFileWriter.open(
      path,
      { encoding: "pcm16", sampleRate: 8000 },
      {
        bufferBytes: 100,
      },
    );
    for (const frame of frames(sweep)) writer.write(frame);
    await writer.flush();
    assert.equal((await stat(path)).size, 44 + 16000, "flush writes everything buffered");
    assert.throws(() => parseWav(Buffer.alloc(0)));
    await writer.close();
    assert.deepEqual(wavToPcm16(await readWavFile(path)), sweep);
  });

  it("encodes to µ-law, takes raw payload bytes, and pads an odd length", async () => {
    const path = join(dir, "ulaw.wav");
    const writer = await WavFileWriter.open(path, { encoding: "ulaw", sampleRate: 8000 });
    writer.write(sweep.subarray(0, 160));
    const payload = Uint8Array.from(sweep.subarray(160, 321), linearToUlaw); // 161 bytes
    writer.writeEncoded(payload);
    const result = await writer.close();
    assert.equal(result.frames, 321);
    const file = await readFile(path);
    assert.equal(file.length, 58 + 321 + 1);
    assert.equal(file.readUInt32LE(4), file.length - 8);
    assert.equal(file.readUInt32LE(46), 321, "fact sample count");
    const wav = parseWav(file);
    assert.equal(wav.encoding, "ulaw");
    assert.deepEqual(new Uint8Array(wav.data.subarray(160)), payload);
  });

  it("refuses to overwrite, to write after close, and bad arguments", async () => {
    const path = join(dir, "exists.wav");
    await writeFile(path, "keep me");
    await assert.rejects(WavFileWriter.open(path, { encoding: "alaw", sampleRate: 8000 }), {
      code: "EEXIST",
    });
    assert.equal(await readFile(path, "utf8"), "keep me");
    await assert.rejects(
      WavFileWriter.open(join(dir, "x.wav"), { encoding: "alaw", sampleRate: 0 }),
    );
    const writer = await WavFileWriter.open(
      path,
      { encoding: "alaw", sampleRate: 8000 },
      {
        overwrite: true,
      },
    );
    const stereo = await WavFileWriter.open(join(dir, "stereo.wav"), {
      encoding: "pcm16",
      sampleRate: 8000,
      channels: 2,
    });
    assert.throws(() => stereo.write(new Int16Array(3)), RangeError);
    assert.throws(() => stereo.writeEncoded(new Uint8Array(6)), RangeError);
    await stereo.close();
    await writer.close();
    assert.equal(await writer.close().then((r) => r.frames), 0, "close is idempotent");
    assert.throws(() => writer.write(new Int16Array(160)), /closed/);
    assert.equal(parseWav(await readFile(path)).frames, 0);
  });

  it("abort deletes the file", async () => {
    const path = join(dir, "aborted.wav");
    const writer = await WavFileWriter.open(path, { encoding: "pcm16", sampleRate: 8000 });
    writer.write(sweep);
    await writer.abort();
    await assert.rejects(stat(path), { code: "ENOENT" });
    assert.throws(() => writer.write(sweep), /closed/);
  });

  it("produces files sox reads with the right format and length", {
    skip: soxPeer.skip,
  }, async () => {
    const cases = [
      ["pcm16", "Signed Integer PCM"],
      ["ulaw", "u-law"],
      ["alaw", "A-law"],
    ] as const;
    for (const [encoding, soxName] of cases) {
      const path = join(dir, `sox-${encoding}.wav`);
      const writer = await WavFileWriter.open(path, { encoding, sampleRate: 16000 });
      writer.write(sweep.subarray(0, 7999)); // odd, to exercise the pad byte
      await writer.close();
      const info = soxInfo(path);
      assert.ok(info, "sox ran");
      assert.match(info, /Channels\s*:\s*1/);
      assert.match(info, /Sample Rate\s*:\s*16000/);
      assert.match(info, /= 7999 samples/);
      assert.match(info, new RegExp(soxName));
    }
  });
});

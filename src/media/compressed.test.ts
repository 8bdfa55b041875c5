// Voicemail re-encoded as MP3 and Ogg Vorbis, checked by real decoders (Debian mpg123 and oggdec):
// each decodes to audio of the recording's length and rate that is not silence, from an 8 kHz
// µ-law call recording and from a 16 kHz PCM one; what is no WAV is refused.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { peer } from "../../test/support/peers.ts";
import { encodeCompressed } from "./compressed.ts";
import { encodeUlaw } from "./g711.ts";
import { generateSweep, rms } from "./pcm.ts";
import { encodeWav, parseWav, pcm16ToWav, WavError, wavToPcm16 } from "./wav.ts";

const run = promisify(execFile);
const mpg123 = peer("mpg123", "mpg123");
const oggdec = peer("oggdec", "vorbis-tools");

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnivox-compressed-"));
});
after(() => rm(dir, { recursive: true, force: true }));

/** Decodes with the real tool to a WAV and reads it back. */
async function decoded(bytes: Uint8Array, format: "mp3" | "ogg") {
  const input = join(dir, `in.${format}`);
  const output = join(dir, `out-${format}.wav`);
  await writeFile(input, bytes);
  if (format === "mp3") await run(mpg123.path!, ["-q", "-w", output, input]);
  else await run(oggdec.path!, ["-Q", "-o", output, input]);
  const wav = parseWav(await readFile(output), { allowTruncated: true });
  return { wav, pcm: wavToPcm16(wav) };
}

const call = () => {
  const sweep = generateSweep(300, 3000, 12_000, 8000, 0.5);
  const ulaw = new Uint8Array(sweep.length);
  encodeUlaw(sweep, ulaw);
  return encodeWav({ encoding: "ulaw", sampleRate: 8000, channels: 1 }, ulaw);
};

describe("voicemail as MP3 and Ogg Vorbis", () => {
  for (const format of ["mp3", "ogg"] as const) {
    const tool = format === "mp3" ? mpg123 : oggdec;
    it(`${format}: a 12 s 8 kHz µ-law call decodes to 12 s of sound at 8 kHz`, {
      skip: tool.skip,
    }, async () => {
      const wav = call();
      const bytes = await encodeCompressed(wav, format);
      // Smaller than G.711 (64 kbit/s) by half at least, even for a sweep across the band.
      assert.ok(bytes.length < wav.length / 2, `${bytes.length} bytes from ${wav.length}`);
      const { wav: out, pcm } = await decoded(bytes, format);
      assert.equal(out.sampleRate, 8000);
      assert.equal(out.channels, 1);
      // MP3 adds its encoder's delay and pads the last frame (no gapless header): a few frames.
      assert.ok(Math.abs(out.durationMs - 12_000) < 250, `${out.durationMs} ms`);
      assert.ok(rms(pcm) > 1000, `rms ${rms(pcm)}`);
    });

    it(`${format}: 16 kHz speech-rate PCM keeps its rate and length`, {
      skip: tool.skip,
    }, async () => {
      const wav = pcm16ToWav(generateSweep(200, 6000, 3000, 16_000, 0.4), 16_000);
      const { wav: out } = await decoded(await encodeCompressed(wav, format), format);
      assert.equal(out.sampleRate, 16_000);
      assert.ok(Math.abs(out.durationMs - 3000) < 250, `${out.durationMs} ms`);
    });
  }

  it("refuses what is no WAV", async () => {
    await assert.rejects(encodeCompressed(new Uint8Array([1, 2, 3]), "mp3"), WavError);
  });
});

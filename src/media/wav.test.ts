// Tests for WAVE encode/parse: round trips, chunk walking, and rejection of bad headers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { linearToAlaw, linearToUlaw } from "./g711.ts";
import { generateTone } from "./pcm.ts";
import { encodeWav, parseWav, pcm16ToWav, WavError, wavHeader, wavToPcm16 } from "./wav.ts";

const tone = generateTone(440, 100, 8000, 0.5); // 800 samples

/** Builds a RIFF file from raw chunks, for hand-made (and broken) inputs. */
function riff(chunks: [string, Uint8Array][], riffSize?: number): Buffer {
  const parts: Buffer[] = [];
  for (const [id, body] of chunks) {
    const head = Buffer.alloc(8);
    head.write(id, 0, "latin1");
    head.writeUInt32LE(body.length, 4);
    parts.push(head, Buffer.from(body), Buffer.alloc(body.length & 1));
  }
  const payload = Buffer.concat(parts);
  const head = Buffer.from("RIFF\0\0\0\0WAVE", "latin1");
  head.writeUInt32LE(riffSize ?? payload.length + 4, 4);
  return Buffer.concat([head, payload]);
}

function fmt(tag: number, channels: number, rate: number, bits: number, align?: number): Buffer {
  const b = Buffer.alloc(16);
  const blockAlign = align ?? (channels * bits) / 8;
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE(rate * blockAlign, 8);
  b.writeUInt16LE(blockAlign, 12);
  b.writeUInt16LE(bits, 14);
  return b;
}

const bad = (input: Uint8Array, message: RegExp) =>
  assert.throws(
    () => parseWav(input),
    (e: unknown) => e instanceof WavError && message.test(e.message),
  );

describe("WAVE round trip", () => {
  it("writes the canonical 44-byte PCM header", () => {
    const file = pcm16ToWav(tone, 16000);
    assert.equal(file.length, 44 + 1600);
    assert.equal(file.toString("latin1", 0, 4), "RIFF");
    assert.equal(file.toString("latin1", 8, 16), "WAVEfmt ");
    assert.equal(file.readUInt32LE(4), file.length - 8);
    assert.equal(file.readUInt16LE(20), 1);
    assert.equal(file.readUInt32LE(28), 32000, "byte rate");
    assert.equal(file.readUInt32LE(40), 1600);
    const wav = parseWav(file);
    assert.equal(wav.encoding, "pcm16");
    assert.equal(wav.sampleRate, 16000);
    assert.equal(wav.frames, 800);
    assert.equal(wav.durationMs, 50);
    assert.deepEqual(wavToPcm16(wav), tone);
  });

  for (const [encoding, tag, encode] of [
    ["ulaw", 7, linearToUlaw],
    ["alaw", 6, linearToAlaw],
  ] as const) {
    it(`writes ${encoding} with fmt tag ${tag}, a fact chunk and a pad byte`, () => {
      const bytes = Uint8Array.from(tone.subarray(0, 799), encode); // odd length
      const file = encodeWav({ encoding, sampleRate: 8000 }, bytes);
      assert.equal(file.length, 58 + 799 + 1);
      assert.equal(file.readUInt32LE(4), file.length - 8);
      assert.equal(file.readUInt32LE(16), 18, "fmt with cbSize");
      assert.equal(file.readUInt16LE(20), tag);
      assert.equal(file.readUInt16LE(34), 8);
      assert.equal(file.toString("latin1", 38, 42), "fact");
      assert.equal(file.readUInt32LE(46), 799);
      assert.equal(file.readUInt32LE(54), 799);
      const wav = parseWav(file);
      assert.equal(wav.encoding, encoding);
      assert.equal(wav.frames, 799);
      assert.deepEqual(new Uint8Array(wav.data), bytes);
      const pcm = wavToPcm16(wav);
      assert.ok(Math.abs(pcm[100]! - tone[100]!) < 300);
    });
  }

  it("parses from an odd offset in a larger buffer", () => {
    const file = pcm16ToWav(tone, 8000);
    const shifted = Buffer.alloc(file.length + 1);
    file.copy(shifted, 1);
    assert.deepEqual(wavToPcm16(parseWav(shifted.subarray(1))), tone);
  });

  it("rejects bad header arguments", () => {
    assert.throws(() => wavHeader({ encoding: "pcm16", sampleRate: 0 }, 0), RangeError);
    assert.throws(() => wavHeader({ encoding: "pcm16", sampleRate: 8000 }, 3), RangeError);
    assert.throws(
      () => wavHeader({ encoding: "ulaw", sampleRate: 8000, channels: 0 }, 0),
      RangeError,
    );
    assert.throws(() => wavHeader({ encoding: "ulaw", sampleRate: 8000 }, 2 ** 32), RangeError);
  });
});

describe("WAVE reader", () => {
  const pcmData = new Uint8Array(8).fill(1);

  it("skips unknown chunks, odd-sized ones with their pad byte, before and after data", () => {
    const file = riff([
      ["LIST", new Uint8Array(5)],
      ["fmt ", fmt(1, 1, 8000, 16)],
      ["junk", new Uint8Array(3)],
      ["data", pcmData],
      ["id3 ", new Uint8Array(7)],
    ]);
    const wav = parseWav(file);
    assert.equal(wav.frames, 4);
    assert.deepEqual(new Uint8Array(wav.data), pcmData);
  });

  it("reads stereo, WAVE_FORMAT_EXTENSIBLE and ignores trailing bytes past the RIFF size", () => {
    const ext = Buffer.alloc(40);
    fmt(0xfffe, 2, 44100, 16).copy(ext);
    ext.writeUInt16LE(22, 16);
    ext.writeUInt16LE(1, 24); // sub-format GUID starting with WAVE_FORMAT_PCM
    const file = Buffer.concat([
      riff([
        ["fmt ", ext],
        ["data", pcmData],
      ]),
      Buffer.from("trailing"),
    ]);
    const wav = parseWav(file);
    assert.equal(wav.channels, 2);
    assert.equal(wav.sampleRate, 44100);
    assert.equal(wav.frames, 2);
  });

  it("keeps whole frames only", () => {
    const wav = parseWav(
      riff([
        ["fmt ", fmt(1, 1, 8000, 16)],
        ["data", new Uint8Array(7)],
      ]),
    );
    assert.equal(wav.frames, 3);
    assert.equal(wav.data.length, 6);
  });

  it("rejects garbage and truncated headers with clear errors", () => {
    bad(new Uint8Array(0), /truncated/);
    bad(Buffer.from("RIFF\x10\0\0\0WAV"), /truncated/);
    bad(Buffer.from("ID3\x04 some mp3 file bytes"), /not a RIFF file/);
    bad(Buffer.from("RIFX\x04\0\0\0WAVE"), /RIFX/);
    bad(Buffer.from("RIFF\x04\0\0\0AVI "), /not WAVE/);
    const good = pcm16ToWav(tone, 8000);
    bad(good.subarray(0, 30), /truncated: RIFF size/);
    bad(riff([["fmt ", fmt(1, 1, 8000, 16)]]), /no data chunk/);
    bad(riff([["data", pcmData]]), /no fmt chunk/);
    bad(riff([["fm\x01 ", pcmData]]), /garbage chunk id at offset 12/);
    bad(
      riff([
        ["fmt ", new Uint8Array(14)],
        ["data", pcmData],
      ]),
      /fmt chunk of 14 bytes/,
    );
  });

  it("rejects chunk sizes past the end", () => {
    const file = riff([
      ["fmt ", fmt(1, 1, 8000, 16)],
      ["data", pcmData],
    ]);
    file.writeUInt32LE(1000, 40);
    bad(file, /chunk "data" at offset 36 claims 1000 bytes, 8 remain/);
    const fmtTooLong = riff([
      ["fmt ", fmt(1, 1, 8000, 16)],
      ["data", pcmData],
    ]);
    fmtTooLong.writeUInt32LE(0xffffffff, 16);
    bad(fmtTooLong, /chunk "fmt "/);
  });

  it("recovers an unpatched or cut-off recording only when asked", () => {
    const file = Buffer.from(pcm16ToWav(tone, 8000).subarray(0, 44 + 101));
    wavHeader({ encoding: "pcm16", sampleRate: 8000 }, null).copy(file);
    bad(file, /truncated/);
    const wav = parseWav(file, { allowTruncated: true });
    assert.equal(wav.frames, 50);
    assert.deepEqual(wavToPcm16(wav), tone.subarray(0, 50));
  });

  it("rejects unknown formats and inconsistent fmt fields", () => {
    bad(
      riff([
        ["fmt ", fmt(0x55, 1, 8000, 0, 1)],
        ["data", pcmData],
      ]),
      /unsupported format tag 0x0055/,
    );
    bad(
      riff([
        ["fmt ", fmt(1, 1, 8000, 8)],
        ["data", pcmData],
      ]),
      /8-bit pcm16 is not supported/,
    );
    bad(
      riff([
        ["fmt ", fmt(7, 1, 8000, 16)],
        ["data", pcmData],
      ]),
      /16-bit ulaw/,
    );
    bad(
      riff([
        ["fmt ", fmt(1, 1, 8000, 16, 4)],
        ["data", pcmData],
      ]),
      /block align 4/,
    );
    bad(
      riff([
        ["fmt ", fmt(1, 0, 8000, 16, 0)],
        ["data", pcmData],
      ]),
      /0 channels/,
    );
    bad(
      riff([
        ["fmt ", fmt(6, 1, 0, 8)],
        ["data", pcmData],
      ]),
      /sample rate 0/,
    );
  });

  it("survives random garbage without anything but WavError", () => {
    let seed = 7;
    const file = pcm16ToWav(tone.subarray(0, 40), 8000);
    for (let round = 0; round < 2000; round++) {
      const mutated = Buffer.from(file);
      for (let k = 0; k < 4; k++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        mutated[seed % 60] = seed >> 8;
      }
      try {
        parseWav(mutated.subarray(0, 20 + (seed % 100)));
      } catch (error) {
        assert.ok(error instanceof WavError, String(error));
      }
    }
  });
});

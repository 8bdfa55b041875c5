// The WAVE writer on a really full disk (a small tmpfs, test/support/tmpfs.ts): with keepOnError
// nothing is lost, salvage() returns exactly what was written to it.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { mountSmallDisk, type SmallDisk } from "../../test/support/tmpfs.ts";
import { encodeUlaw } from "./g711.ts";
import { generateSweep } from "./pcm.ts";
import { parseWav } from "./wav.ts";
import { WavFileWriter } from "./wav-writer.ts";

let disk: SmallDisk | undefined;
let skip: string | undefined;
before(async () => {
  const mounted = await mountSmallDisk(1024 * 1024);
  disk = mounted.disk;
  skip = mounted.skip;
});
after(async () => {
  await disk?.unmount();
});

for (const [name, leave] of [
  ["fills during recording", 100_000],
  ["is full before the first write", 0],
] as const) {
  it(`a recording whose disk ${name} is salvaged whole from disk and memory`, async (t) => {
    if (skip || !disk) return t.skip(skip);
    await disk.fill(leave);
    const errors: unknown[] = [];
    const path = `${disk.dir}/rec-${leave}.wav`;
    const writer = await WavFileWriter.open(
      path,
      { encoding: "ulaw", sampleRate: 8000 },
      { bufferBytes: 8192, keepOnError: true, onError: (e) => errors.push(e) },
    );
    // 30 s of a sweep: 240 kB, more than the room left.
    const sent = generateSweep(300, 3000, 30_000, 8000, 0.5);
    for (let i = 0; i < sent.length; i += 160) writer.write(sent.subarray(i, i + 160));
    await assert.rejects(writer.close(), { code: "ENOSPC" });
    assert.equal(errors.length, 1, "onError is told once");
    const bytes = await writer.salvage();
    const wav = parseWav(bytes);
    const expected = new Uint8Array(sent.length);
    encodeUlaw(sent, expected);
    assert.equal(wav.encoding, "ulaw");
    assert.equal(wav.data.length, expected.length);
    assert.deepEqual(Buffer.from(wav.data), Buffer.from(expected));
    await disk.free();
  });
}

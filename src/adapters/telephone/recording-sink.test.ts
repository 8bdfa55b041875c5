// The recording sink on a really full disk (a small tmpfs): the message is handed over whole,
// the full disk is reported, and nothing is left in tmp.
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { after, before, test } from "node:test";
import { mountSmallDisk, type SmallDisk } from "../../../test/support/tmpfs.ts";
import { generateSweep } from "../../media/pcm.ts";
import { parseWav, wavToPcm16 } from "../../media/wav.ts";
import { fileRecordingSink, memoryRecordingSink } from "./recording-sink.ts";

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

const sent = generateSweep(300, 3000, 12_000, 8000, 0.5); // 12 s: more than one 64 KiB batch

async function record(sink: Awaited<ReturnType<typeof fileRecordingSink>>): Promise<number> {
  for (let i = 0; i < sent.length; i += 160) sink.write(sent.subarray(i, i + 160));
  return (await sink.finish()).durationMs;
}

test("a disk full from the start: the whole recording reaches the store", async (t) => {
  if (skip || !disk) return t.skip(skip);
  await disk.fill(0);
  try {
    let stored: Uint8Array | undefined;
    const full: unknown[] = [];
    const sink = await fileRecordingSink(
      disk.dir,
      "full-call",
      async (data) => {
        stored = data;
      },
      (err) => full.push(err),
    );
    assert.equal(await record(sink), 12_000);
    assert.ok(full.length >= 1, "the full disk was reported");
    const pcm = wavToPcm16(parseWav(stored!));
    assert.equal(pcm.length, sent.length);
    // µ-law round trip: close to what was sent, sample by sample.
    let worst = 0;
    for (let i = 0; i < pcm.length; i++) worst = Math.max(worst, Math.abs(pcm[i]! - sent[i]!));
    assert.ok(worst < 1100, `largest µ-law error ${worst}`);
    assert.deepEqual(
      (await readdir(disk.dir)).filter((f) => f.endsWith(".wav")),
      [],
      "nothing left in tmp",
    );
  } finally {
    await disk.free();
  }
});

test("the memory sink gives the same WAV as the file sink with room", async (t) => {
  if (skip || !disk) return t.skip(skip);
  let fromFile: Uint8Array | undefined;
  let fromMemory: Uint8Array | undefined;
  await record(
    await fileRecordingSink(disk.dir, "roomy-call", async (d) => {
      fromFile = d;
    }),
  );
  await record(
    memoryRecordingSink(async (d) => {
      fromMemory = d;
    }),
  );
  assert.deepEqual(Buffer.from(fromMemory!), Buffer.from(fromFile!));
});

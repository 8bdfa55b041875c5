// Where a voicemail is recorded while the caller speaks: a µ-law WAV file under dataDir/tmp,
// written frame by frame and fsynced at the end, then handed to the audio store. µ-law because
// that is what the line carried: 8 kB/s, no loss beyond the call's own.

import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { WavFileWriter } from "../../media/wav-writer.ts";
import type { RecordingSink } from "./deposit.ts";

export async function fileRecordingSink(
  tmpDir: string,
  id: string,
  store: (data: Uint8Array) => Promise<void>,
): Promise<RecordingSink> {
  const path = join(tmpDir, `${id}.wav`);
  const writer = await WavFileWriter.open(path, { encoding: "ulaw", sampleRate: 8000 });
  return {
    write: (pcm) => writer.write(pcm),
    async finish() {
      const result = await writer.close();
      try {
        await store(await readFile(path));
      } finally {
        await rm(path, { force: true });
      }
      return { durationMs: result.durationMs };
    },
    async abort() {
      await writer.abort();
    },
  };
}

// Where a voicemail is recorded while the caller speaks: a µ-law WAV file under dataDir/tmp,
// written frame by frame and fsynced at the end, then handed to the audio store. µ-law because
// that is what the line carried: 8 kB/s, no loss beyond the call's own. When the disk is full
// (docs/security.md "Disk full") the recording goes on in memory and is handed over all the same.

import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { isStorageFullError } from "../../core/storage-health.ts";
import { encodeUlaw } from "../../media/g711.ts";
import { encodeWav, parseWav } from "../../media/wav.ts";
import { WavFileWriter } from "../../media/wav-writer.ts";
import type { RecordingSink } from "./deposit.ts";

const FORMAT = { encoding: "ulaw", sampleRate: 8000 } as const;

export async function fileRecordingSink(
  tmpDir: string,
  id: string,
  store: (data: Uint8Array) => Promise<void>,
  /** A write ran out of room (ENOSPC, EDQUOT): the recording continues in memory. */
  onStorageFull: (err: unknown) => void = () => {},
): Promise<RecordingSink> {
  const path = join(tmpDir, `${id}.wav`);
  let writer: WavFileWriter;
  try {
    writer = await WavFileWriter.open(path, FORMAT, {
      keepOnError: true,
      onError: (err) => {
        if (isStorageFullError(err)) onStorageFull(err);
      },
    });
  } catch (err) {
    if (!isStorageFullError(err)) throw err;
    onStorageFull(err);
    return memoryRecordingSink(store);
  }
  return {
    write: (pcm) => writer.write(pcm),
    async finish() {
      let data: Uint8Array;
      try {
        const result = await writer.close();
        data = await readFile(result.path);
      } catch (err) {
        // Whatever failed (no room above all), what was recorded is still in the file and in
        // memory: a message kept is better than one lost to a write error.
        if (isStorageFullError(err)) onStorageFull(err);
        data = await writer.salvage().catch(() => {
          throw err;
        });
      } finally {
        await rm(path, { force: true });
      }
      await store(data);
      return { durationMs: durationOf(data) };
    },
    async abort() {
      await writer.abort();
    },
  };
}

/** The recording in memory only (µ-law, 8 kB/s; the deposit's maxMessageMs bounds it). */
export function memoryRecordingSink(store: (data: Uint8Array) => Promise<void>): RecordingSink {
  const chunks: Uint8Array[] = [];
  return {
    write: (pcm) => {
      const bytes = new Uint8Array(pcm.length);
      encodeUlaw(pcm, bytes);
      chunks.push(bytes);
    },
    async finish() {
      const data = encodeWav(FORMAT, Buffer.concat(chunks));
      chunks.length = 0;
      await store(data);
      return { durationMs: durationOf(data) };
    },
    async abort() {
      chunks.length = 0;
    },
  };
}

/** µ-law at 8 kHz: one byte per sample. */
function durationOf(wav: Uint8Array): number {
  return (parseWav(wav).data.length * 1000) / FORMAT.sampleRate;
}

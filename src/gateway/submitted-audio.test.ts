// A submitted voice message: unreadable bytes and a message longer than a box takes are refused
// naming the `audio` field; a readable one is stored as 8 kHz WAV, under the same id on a retry.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ValidationError } from "../core/errors.ts";
import { generateTone } from "../media/pcm.ts";
import { parseWav, pcm16ToWav } from "../media/wav.ts";
import { submittedAudio } from "./submitted-audio.ts";

function memoryAudio() {
  const blobs = new Map<string, Uint8Array>();
  return {
    blobs,
    put: async (id: string, data: Uint8Array) => {
      blobs.set(id, data);
    },
  };
}

const refusedAudio = (e: unknown) => e instanceof ValidationError && e.field === "audio";

test("a readable WAV is stored at 8 kHz under an id the request id fixes", async () => {
  const audio = memoryAudio();
  const store = submittedAudio({ audio, maxMessageMs: 10_000 });
  const wav = pcm16ToWav(generateTone(440, 1000, 16000), 16000);
  const first = await store(wav, { userId: "alice", requestId: "r1" });
  const again = await store(wav, { userId: "alice", requestId: "r1" });
  const other = await store(wav, { userId: "bob", requestId: "r1" });
  assert.equal(first.audioId, again.audioId);
  assert.notEqual(first.audioId, other.audioId);
  assert.match(first.audioId, /^api-[0-9a-f]{40}$/);
  assert.ok(Math.abs(first.durationMs - 1000) <= 20, `${first.durationMs} ms`);
  const stored = parseWav(audio.blobs.get(first.audioId)!);
  assert.equal(stored.sampleRate, 8000);
  assert.equal(stored.channels, 1);
  assert.equal(audio.blobs.size, 2);
});

test("bytes that are no WAV and a message over the limit are refused on `audio`", async () => {
  const audio = memoryAudio();
  const store = submittedAudio({ audio, maxMessageMs: 500 });
  await assert.rejects(store(new TextEncoder().encode("not a wav"), { userId: "a" }), refusedAudio);
  await assert.rejects(
    store(pcm16ToWav(generateTone(440, 1000, 8000), 8000), { userId: "a" }),
    (e: unknown) => refusedAudio(e) && /longer than the 0.5 s/.test((e as Error).message),
  );
  assert.equal(audio.blobs.size, 0);
});

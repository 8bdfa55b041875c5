// Audio conversion off the event loop (README "Audio conversion"): the largest WAV POST
// /api/v1/messages accepts (35 s of 44.1 kHz stereo, 8 MiB of base64) is decoded, mixed and
// resampled to 8 kHz in the audio worker pool while this process — omnivox runs in it — polls
// /healthz every 50 ms: no answer waits long behind the conversion, and the stored message has
// the length of what was sent.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { parseWav, pcm16ToWav, wavToPcm16 } from "../../src/media/wav.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { pollHealth } from "../support/health-poll.ts";

const RATE = 44_100;
const SECONDS = 35;
let t: TestApp;

before(async () => {
  t = await startTestApp({});
  await t.addUser({ id: "alice", displayName: "Alice", password: "wonderland" });
  await t.addUser({
    id: "bob",
    displayName: "Bob",
    phones: ["+15550100"],
    routes: [{ from: "*", to: ["voicemail"] }],
  });
});

after(async () => {
  await t?.stop();
});

/** A stereo WAV whose channels differ (a 440 Hz tone left, 660 Hz right) and whose level varies. */
function stereoWav(): Buffer {
  const frames = RATE * SECONDS;
  const pcm = new Int16Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    const level = 2000 + 1500 * Math.sin((2 * Math.PI * i) / RATE);
    pcm[2 * i] = Math.round(level * Math.sin((2 * Math.PI * 440 * i) / RATE));
    pcm[2 * i + 1] = Math.round(level * Math.sin((2 * Math.PI * 660 * i) / RATE));
  }
  return pcm16ToWav(pcm, RATE, 2);
}

test("the largest API audio is converted without holding up /healthz", {
  timeout: 120_000,
}, async () => {
  const wav = stereoWav();
  const audio = wav.toString("base64");
  assert.ok(audio.length <= 8 * 1024 * 1024, "within what POST /messages accepts");
  // Warm the route and the threads up, so the gap measured is the conversion's, not a first load.
  const warm = await t.api("POST", "/messages", {
    userId: "alice",
    to: "tel:+15550100",
    audio: pcm16ToWav(new Int16Array(RATE * 4), RATE, 2).toString("base64"),
  });
  assert.equal(warm.status, 201, JSON.stringify(warm.body));

  const poll = pollHealth(t.app.ports.http!.port, 50);
  await sleep(300);
  const res = await t.api("POST", "/messages", {
    userId: "alice",
    to: "tel:+15550100",
    audio,
    requestId: "big-1",
  });
  await sleep(300);
  const { maxGapMs, answers } = await poll.stop();
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.ok(answers >= 5, `${answers} /healthz answers`);
  // Generous on a loaded machine; the conversion alone is a few hundred ms of CPU.
  assert.ok(maxGapMs < 1000, `/healthz waited ${maxGapMs} ms`);

  // The message the outbox delivers: 8 kHz mono of the length sent (the id is the route's).
  const audioId = `api-${createHash("sha256").update("alice\nbig-1").digest("hex").slice(0, 40)}`;
  const blob = await t.app.store.audio.get(audioId);
  assert.ok(blob, "the converted audio is stored");
  const stored = parseWav(blob.data);
  assert.equal(stored.sampleRate, 8000);
  assert.equal(stored.channels, 1);
  const seconds = wavToPcm16(stored).length / 8000;
  assert.ok(Math.abs(seconds - SECONDS) <= 0.5, `${seconds} s stored`);
  const deliveries = await t.deliveries("alice");
  assert.ok(
    deliveries.some((d) => d.startsWith("tel:+15550100")),
    `a delivery to bob's phone: ${deliveries.join(", ")}`,
  );
});

// Route options in a profile: "wav" is the audio format offered; "mp3" is refused with a message
// saying why (no MP3 encoder ships with omnivox), on the field's path.

import assert from "node:assert/strict";
import { test } from "node:test";
import { fieldOf } from "../validate.ts";
import { routeSchema } from "./profile.ts";

test("audioFormat: wav is taken, mp3 is refused naming the reason", () => {
  const ok = routeSchema.safeParse({ from: "voicemail", to: ["email"], audioFormat: "wav" });
  assert.equal(ok.success, true);
  const mp3 = routeSchema.safeParse({ from: "voicemail", to: ["email"], audioFormat: "mp3" });
  assert.equal(mp3.success, false);
  if (mp3.success) return;
  const { field, reason } = fieldOf(mp3.error);
  assert.equal(field, "audioFormat");
  assert.match(reason, /MP3 is not supported, no MP3 encoder/);
});

test("voice, language and transcribe are kept as given; a bad language tag is refused", () => {
  const r = routeSchema.parse({
    from: "email",
    to: ["pstn"],
    voice: "en-gb",
    language: "en-GB",
    transcribe: false,
  });
  assert.deepEqual(r, {
    from: "email",
    to: ["pstn"],
    voice: "en-gb",
    language: "en-GB",
    transcribe: false,
  });
  assert.equal(
    routeSchema.safeParse({ from: "email", to: ["pstn"], language: "en_GB!" }).success,
    false,
  );
});

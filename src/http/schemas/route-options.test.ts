// Route options in a profile: the audio formats offered are taken, another is refused with a
// message naming them, on the field's path.

import assert from "node:assert/strict";
import { test } from "node:test";
import { fieldOf } from "../validate.ts";
import { routeSchema } from "./profile.ts";

test("audioFormat: wav, mp3 and ogg are taken, flac is refused naming the formats", () => {
  for (const audioFormat of ["wav", "mp3", "ogg"]) {
    const ok = routeSchema.safeParse({ from: "voicemail", to: ["email"], audioFormat });
    assert.equal(ok.success, true, audioFormat);
  }
  const flac = routeSchema.safeParse({ from: "voicemail", to: ["email"], audioFormat: "flac" });
  assert.equal(flac.success, false);
  if (flac.success) return;
  const { field, reason } = fieldOf(flac.error);
  assert.equal(field, "audioFormat");
  assert.match(reason, /expected "wav", "mp3" or "ogg"/);
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

// Voice → text: the subject and text a voicemail becomes for mail and chat, the signed link and
// the attachment, callers without a name or number, and the registry's voice pairs.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testVoicemail } from "../../../test/support/store.ts";
import type { Communication, VoiceCommunication } from "../../core/communication.ts";
import { ConversionError } from "../../core/errors.ts";
import type { AudioLinks } from "../../core/ports.ts";
import { defaultProfile } from "../../core/profile.ts";
import { defaultConverters } from "./registry.ts";
import { callerOf, formatDuration, voiceToText } from "./voice.ts";

const links: AudioLinks & { asked: Array<[string, number | undefined]> } = {
  asked: [],
  urlFor(audioId, ttlMs) {
    this.asked.push([audioId, ttlMs]);
    return `https://um.example.com/api/v1/audio/${audioId}?exp=1&sig=s`;
  },
};

function voicemail(over: Partial<VoiceCommunication> = {}): VoiceCommunication {
  return testVoicemail({
    id: "c1",
    body: { audioId: "rec-1", durationMs: 42_400 },
    callerName: "Bob Smith",
    ...over,
  });
}

describe("voiceToText", () => {
  test("mail: subject, caller, called number, time, length, link and the WAV attachment", () => {
    const c = voicemail({
      body: { audioId: "rec-1", durationMs: 42_400, transcript: " Call me back. " },
    });
    const r = voiceToText(c, links, "mail");
    assert.equal(r.subject, "Voicemail from Bob Smith, +15550001 (0:42)");
    assert.equal(r.from, "Bob Smith <+15550001>");
    assert.equal(
      r.text,
      [
        "From:     Bob Smith <+15550001>",
        "To:       +15559999",
        "Received: 2025-03-01 10:04:05 UTC",
        "Length:   0:42",
        "",
        "Transcript:",
        "Call me back.",
        "",
        "Listen: https://um.example.com/api/v1/audio/rec-1?exp=1&sig=s",
        "",
      ].join("\n"),
    );
    assert.equal(r.audioUrl, "https://um.example.com/api/v1/audio/rec-1?exp=1&sig=s");
    assert.deepEqual(r.attachment, {
      audioId: "rec-1",
      format: "wav",
      filename: "voicemail-20250301-100405.wav",
      contentType: "audio/wav",
    });
    assert.deepEqual(links.asked.at(-1), ["rec-1", undefined]);
    // A route that asks for MP3 or Ogg names the attachment so; the adapter re-encodes it.
    for (const [format, type] of [
      ["mp3", "audio/mpeg"],
      ["ogg", "audio/ogg"],
    ] as const) {
      const asked = voiceToText(c, links, "mail", format).attachment;
      assert.equal(asked?.format, format);
      assert.equal(asked?.contentType, type);
      assert.equal(asked?.filename, `voicemail-20250301-100405.${format}`);
    }
  });

  test("chat: one line with the transcript under it, the link in audioUrl, no attachment", () => {
    const r = voiceToText(voicemail({ warnings: ["clipped"] }), links, "chat");
    assert.equal(r.text, "Voicemail from Bob Smith, +15550001 (0:42)");
    assert.equal(r.attachment, undefined);
    assert.match(r.audioUrl ?? "", /rec-1/);
    assert.deepEqual(r.notes, ["clipped"]);
    const withTranscript = voiceToText(
      voicemail({ body: { audioId: "rec-1", durationMs: 5000, transcript: "Hi" } }),
      links,
      "chat",
    );
    assert.equal(withTranscript.text, "Voicemail from Bob Smith, +15550001 (0:05)\nHi");
  });

  test("without a transcript the text has no transcript section", () => {
    const r = voiceToText(
      voicemail({ body: { audioId: "rec-1", durationMs: 1000, transcript: "  " } }),
      links,
      "mail",
    );
    assert.doesNotMatch(r.text, /Transcript/);
  });

  test("callers without a name, or withheld, still get a label", () => {
    assert.equal(callerOf(voicemail({ callerName: undefined })).label, "+15550001");
    assert.equal(callerOf(voicemail({ callerName: undefined })).display, "+15550001");
    const sip = callerOf(
      voicemail({
        ani: undefined,
        callerName: undefined,
        from: { scheme: "sip", uri: "sip:bob@pbx.test" },
      }),
    );
    assert.equal(sip.label, "sip:bob@pbx.test");
    const nameOnly = callerOf(voicemail({ ani: undefined, from: { scheme: "tel", number: "" } }));
    assert.equal(nameOnly.label, "Bob Smith");
    const withheld = voiceToText(
      voicemail({
        ani: undefined,
        callerName: undefined,
        dnis: undefined,
        from: { scheme: "tel", number: "" },
      }),
      links,
      "mail",
    );
    assert.equal(withheld.subject, "Voicemail from unknown caller (0:42)");
    assert.match(withheld.text, /^From: {5}unknown caller\nTo: {7}\+15559999\n/);
  });

  test("durations are m:ss, rounded to the second", () => {
    assert.equal(formatDuration(0), "0:00");
    assert.equal(formatDuration(59_600), "1:00");
    assert.equal(formatDuration(61_000), "1:01");
    assert.equal(formatDuration(3_725_000), "62:05");
    assert.equal(formatDuration(-5), "0:00");
  });
});

describe("defaultConverters voice pairs", () => {
  const registry = defaultConverters({ audioLinks: links });
  const profile = defaultProfile("alice");

  test("voice → mail and voice → chat are registered", async () => {
    const mail = await registry.convert(
      voicemail(),
      { scheme: "mailto", email: "a@x.test" },
      profile,
      {},
    );
    assert.ok(mail.medium === "text" && mail.attachment?.audioId === "rec-1");
    const chat = await registry.convert(
      voicemail(),
      { scheme: "web", userId: "alice", clientId: "web" },
      profile,
      {},
    );
    assert.ok(chat.medium === "text" && chat.attachment === undefined);
  });

  test("text → voice is still no conversion", async () => {
    const email = {
      ...voicemail(),
      kind: "email",
      body: { text: "hi" },
    } as unknown as Communication;
    await assert.rejects(
      registry.convert(email, { scheme: "tel", number: "+1555" }, profile, {}),
      ConversionError,
    );
  });
});

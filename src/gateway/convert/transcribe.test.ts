// Per-route transcripts in the converters: `transcribe: false` keeps the transcript out of mail,
// chat and voice renditions; audio a client submitted is transcribed once for all its targets,
// a failed transcription is a note; calls (already transcribed while recorded) are not redone.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testVoicemail } from "../../../test/support/store.ts";
import type { VoiceCommunication } from "../../core/communication.ts";
import type { AudioLinks } from "../../core/ports.ts";
import { defaultProfile, type Profile } from "../../core/profile.ts";
import type { RouteOptions } from "../../core/routing.ts";
import { generateTone } from "../../media/pcm.ts";
import { pcm16ToWav } from "../../media/wav.ts";
import { defaultConverters } from "./registry.ts";
import { storedAudioTranscriber, TranscriptPolicy } from "./transcribe.ts";

const links: AudioLinks = { urlFor: (id) => `https://um.test/a/${id}` };
const mail = { scheme: "mailto", email: "alice@example.com" } as const;
const web = { scheme: "web", userId: "alice", clientId: "web" } as const;
const phone = { scheme: "tel", number: "+15550001" } as const;

function apiAudio(): VoiceCommunication {
  return testVoicemail({
    id: "api-1",
    direction: "outbound",
    from: { scheme: "web", userId: "alice", clientId: "api" },
    body: { audioId: "api-a", durationMs: 1000 },
  });
}

const profile: Profile = defaultProfile("alice");
/** The route options a delivery carries: `transcribe` as receive matched it. */
const route = (transcribe?: boolean): RouteOptions =>
  transcribe === undefined ? {} : { transcribe };

describe("route option transcribe", () => {
  test("false: no transcript in mail, chat or the voice rendition", async () => {
    const r = defaultConverters({ audioLinks: links });
    const c = testVoicemail({ body: { audioId: "rec", durationMs: 2000, transcript: "call me" } });
    for (const target of [mail, web, phone]) {
      const out = await r.convert(c, target, profile, route(false));
      const text = out.medium === "text" ? out.text : (out.text ?? "");
      assert.doesNotMatch(text, /call me/, target.scheme);
    }
    const kept = await r.convert(c, phone, profile, route());
    assert.deepEqual(kept, {
      medium: "voice",
      audioId: "rec",
      durationMs: 2000,
      text: "call me",
      notes: [],
    });
  });

  test("client audio is transcribed once for every text target; calls are not redone", async () => {
    const asked: string[] = [];
    const r = defaultConverters({
      audioLinks: links,
      transcribeAudio: async (id) => {
        asked.push(id);
        return "see you at noon";
      },
    });
    const c = apiAudio();
    const m = await r.convert(c, mail, profile, route());
    const chat = await r.convert(c, web, profile, route());
    assert.ok(m.medium === "text" && /see you at noon/.test(m.text));
    assert.ok(chat.medium === "text" && /see you at noon/.test(chat.text));
    assert.deepEqual(asked, ["api-a"]);
    const call = testVoicemail({ id: "call-1", body: { audioId: "rec", durationMs: 1000 } });
    await r.convert(call, mail, profile, route());
    assert.deepEqual(asked, ["api-a"], "a recorded call is not transcribed again");
    await r.convert({ ...c, id: "api-2" }, mail, profile, route(false));
    assert.deepEqual(asked, ["api-a"], "transcribe: false spends no STT");
  });

  test("a failed transcription is a note; the message still goes out", async () => {
    const policy = new TranscriptPolicy(async () => {
      throw new Error('speech engine "pocketsphinx" is not available');
    });
    const out = await policy.apply(apiAudio(), {});
    assert.equal(out.body.transcript, undefined);
    assert.match(out.warnings.join(" "), /No transcript: .*pocketsphinx/);
  });
});

describe("storedAudioTranscriber", () => {
  test("engine none: no transcriber; else the stored WAV is decoded and given to the engine", async () => {
    const none = { name: "none", transcribe: async () => ({ text: "" }) };
    assert.equal(storedAudioTranscriber(none, { get: async () => undefined }), undefined);
    const heard: Array<{ n: number; rate: number; language?: string }> = [];
    const stt = {
      name: "fake",
      transcribe: async (
        a: { samples: Int16Array; sampleRate: number },
        o?: { language?: string },
      ) => {
        heard.push({ n: a.samples.length, rate: a.sampleRate, language: o?.language });
        return { text: " hello " };
      },
    };
    const wav = pcm16ToWav(generateTone(440, 500, 8000, 0.3), 8000);
    const t = storedAudioTranscriber(
      stt,
      { get: async (id) => (id === "a" ? { data: wav } : undefined) },
      "en",
    )!;
    assert.equal(await t("a"), "hello");
    assert.deepEqual(heard, [{ n: 4000, rate: 8000, language: "en" }]);
    await assert.rejects(t("missing"), /not stored/);
  });
});

// Text → voice: what is spoken (envelope, body without quotes or signature), the stored audio,
// and what happens when the engine fails (kept as text with a note, or retried when transient).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TextCommunication } from "../../core/communication.ts";
import {
  DeliveryError,
  SpeechBusyError,
  SpeechEngineMissingError,
  SpeechTimeoutError,
} from "../../core/errors.ts";
import { defaultProfile, type Profile } from "../../core/profile.ts";
import type { RouteOptions } from "../../core/routing.ts";
import { spokenText, type TextToVoiceDeps, textToVoice } from "./speech.ts";

const alice: Profile = {
  ...defaultProfile("alice", "Alice"),
  emails: ["alice@example.com"],
  // What the profile says today; renders follow the options stored with the delivery instead.
  routes: [{ from: "email", to: ["voicemail"], voice: "en-gb" }],
};
/** The options receive stored with the delivery. */
const route: RouteOptions = { voice: "en-us" };

function mail(overrides: Partial<TextCommunication> = {}): TextCommunication {
  return {
    id: "c1",
    kind: "email",
    userId: "alice",
    direction: "inbound",
    from: { scheme: "mailto", email: "bob@example.net", name: "Bob Smith" },
    to: { scheme: "mailto", email: "alice@example.com" },
    subject: "Invoice",
    receivedAt: new Date(),
    thread: { threadId: "c1" },
    nativeRefs: [],
    warnings: [],
    body: {
      text: "Please call me back.\n\nOn Monday, Alice wrote:\n> old text\n\n-- \nBob\nACME Inc.",
    },
    ...overrides,
  } as TextCommunication;
}

function fakeDeps(speak: TextToVoiceDeps["speak"]) {
  const saved = new Map<string, { samples: Int16Array; rate: number }>();
  const deps: TextToVoiceDeps = {
    speak,
    saveAudio: async (id, samples, rate) => {
      saved.set(id, { samples, rate });
    },
  };
  return { deps, saved };
}

test("the spoken text is the envelope then the body without quotes and signature", () => {
  assert.equal(
    spokenText(mail(), alice),
    "Message from Bob Smith, subject Invoice.\nPlease call me back.",
  );
  const bare = mail({
    subject: undefined,
    from: { scheme: "mailto", email: "bob@example.net" },
  } as Partial<TextCommunication>);
  assert.match(spokenText(bare, alice), /^Message from bob@example\.net\.\n/);
});

test("the speech is stored as audio and the rendition names it, with the stored route's voice", async () => {
  const asked: Array<{ text: string; voice?: string }> = [];
  const { deps, saved } = fakeDeps(async (text, opts) => {
    asked.push({ text, ...(opts.voice ? { voice: opts.voice } : {}) });
    return new Int16Array(16000);
  });
  const r = await textToVoice(mail(), alice, route, deps);
  assert.equal(r.medium, "voice");
  assert.equal(r.audioId, "tts-c1");
  assert.equal(r.durationMs, 2000);
  assert.equal(r.text, asked[0]?.text);
  assert.equal(asked[0]?.voice, "en-us");
  assert.equal(saved.get("tts-c1")?.rate, 8000);
  assert.deepEqual(r.notes, []);
});

test("a failing engine: the text is kept beside a tone, with a note; nothing is lost", async () => {
  const { deps, saved } = fakeDeps(async () => {
    throw new SpeechEngineMissingError("flite", "flite");
  });
  const r = await textToVoice(mail(), alice, route, deps);
  assert.match(r.text ?? "", /Please call me back/);
  assert.match(r.notes.join(" "), /could not be spoken.*install flite/);
  assert.ok(saved.has(r.audioId));
});

test("a busy or slow engine is retried later (DeliveryError, not permanent)", async () => {
  for (const err of [new SpeechBusyError(4), new SpeechTimeoutError(30_000, "flite")]) {
    const { deps } = fakeDeps(async () => {
      throw err;
    });
    await assert.rejects(
      textToVoice(mail(), alice, route, deps),
      (e: unknown) => e instanceof DeliveryError && !e.permanent && e.cause === err,
    );
  }
});

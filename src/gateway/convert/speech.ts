// Text → voice conversion (docs/architecture.md "Systems and conversions" "text-to-speech"): a mail
// or chat message becomes spoken audio — an envelope ("Message from <sender>, subject <subject>.")
// then the body without quoted history or signature — stored as an 8 kHz WAV for voice targets. The
// engine is injected (the gateway never imports speech); when it fails the text is kept beside a
// short tone, with a note.

import type { Address } from "../../core/address.ts";
import type { TextCommunication } from "../../core/communication.ts";
import { DeliveryError, isSpeechOverloaded } from "../../core/errors.ts";
import type { Profile } from "../../core/profile.ts";
import type { AudioRendition } from "../../core/rendition.ts";
import type { RouteOptions } from "../../core/routing.ts";
import { plainText, stripQuotesAndSignature } from "./text.ts";

export const SPEECH_RATE = 8000;

export interface TextToVoiceDeps {
  /** 8 kHz mono speech of `text`; rejects when the engine is missing or fails. */
  speak(text: string, opts: { voice?: string; language?: string }): Promise<Int16Array>;
  /** Stores the audio as WAV under `audioId` (idempotent: the same id is written again). */
  saveAudio(audioId: string, samples: Int16Array, sampleRate: number): Promise<void>;
}

/** How a sender is said: the name when there is one, else the address itself. */
function spokenParty(a: Address): string {
  switch (a.scheme) {
    case "mailto":
      return a.name?.trim() || a.email;
    case "tel":
      return a.number;
    case "sip":
      return a.uri.replace(/^sips?:/, "");
    case "xmpp":
      return a.jid.split("/")[0] ?? a.jid;
    case "web":
    case "voicemail":
    case "legacy":
      return a.userId;
    case "webhook":
      return a.id;
  }
}

/** The sender as a voicemail's caller: an address, not a name (the box lists it as ANI). */
export function callerOf(c: TextCommunication, profile: Profile): string {
  if (c.direction === "outbound") return profile.emails[0] ?? profile.id;
  switch (c.from.scheme) {
    case "mailto":
      return c.from.email;
    default:
      return spokenParty(c.from);
  }
}

/** What is spoken: the envelope, then the body as a chat line would show it. */
export function spokenText(c: TextCommunication, profile: Profile): string {
  const sender = c.direction === "outbound" ? profile.displayName : spokenParty(c.from);
  const subject = c.subject?.trim().replace(/[.\s]+$/, "");
  const envelope = subject
    ? `Message from ${sender}, subject ${subject}.`
    : `Message from ${sender}.`;
  const body = stripQuotesAndSignature(plainText(c.body)).trim();
  return body ? `${envelope}\n${body}` : envelope;
}

/** Half a second of 440 Hz: what the box holds when the text could not be spoken. */
function tone(): Int16Array {
  const samples = new Int16Array(SPEECH_RATE / 2);
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / SPEECH_RATE));
  return samples;
}

/** Speaks `c` with the voice and language of the route options stored for the delivery. */
export async function textToVoice(
  c: TextCommunication,
  profile: Profile,
  route: RouteOptions,
  deps: TextToVoiceDeps,
): Promise<AudioRendition> {
  const text = spokenText(c, profile);
  const notes = [...c.warnings];
  let samples: Int16Array;
  try {
    samples = await deps.speak(text, {
      ...(route.voice ? { voice: route.voice } : {}),
      ...(route.language ? { language: route.language } : {}),
    });
  } catch (err) {
    // A full queue or a timeout passes by itself: the delivery is retried.
    if (isSpeechOverloaded(err))
      throw new DeliveryError(`text to speech: ${(err as Error).message}`, false, { cause: err });
    const reason = err instanceof Error ? err.message : String(err);
    notes.push(`The text could not be spoken (${reason}); it is kept as the transcript.`);
    samples = tone();
  }
  const audioId = `tts-${c.id}`;
  await deps.saveAudio(audioId, samples, SPEECH_RATE);
  return {
    medium: "voice",
    audioId,
    durationMs: Math.round((samples.length * 1000) / SPEECH_RATE),
    text,
    notes,
  };
}

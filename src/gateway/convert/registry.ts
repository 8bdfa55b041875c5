// The converter registry: one pure function per (source medium → target style), chosen by the
// communication's kind and the target address's scheme, rendering with the route options
// stored with the delivery (never a route matched again). Voice → text (links, attachment and the
// transcript the route allows) and voice → voice (the recording itself) ship here; text → voice
// (TTS) is registered by the composition root when a TTS engine is up (app/speech.ts), without
// one that pair is a ConversionError.

import type { Address } from "../../core/address.ts";
import { type Communication, isText } from "../../core/communication.ts";
import { ConversionError } from "../../core/errors.ts";
import type { AudioLinks } from "../../core/ports.ts";
import type { AudioFormat, Profile } from "../../core/profile.ts";
import type { AudioRendition, Rendition } from "../../core/rendition.ts";
import { type RouteOptions, transcribes } from "../../core/routing.ts";
import { mediumOf } from "../../core/system.ts";
import { textToText } from "./text.ts";
import { type TranscribeAudio, TranscriptPolicy } from "./transcribe.ts";
import { voiceToText } from "./voice.ts";

/**
 * How a target presents a communication: a mail, a chat line, audio, or an app's event (a
 * webhook: the mail's full text, the transcript apart, the audio as a link in the route's format).
 */
export type TargetStyle = "mail" | "chat" | "voice" | "event";

export function styleOf(address: Address): TargetStyle {
  switch (address.scheme) {
    case "mailto":
      return "mail";
    case "web":
    case "xmpp":
      return "chat";
    case "tel":
    case "sip":
    case "voicemail":
    case "legacy":
      return "voice";
    case "webhook":
      return "event";
  }
}

/** Renders for one target: `route` holds the options receive decided for its delivery. */
export type Converter = (
  c: Communication,
  profile: Profile,
  route: RouteOptions,
) => Rendition | Promise<Rendition>;

export class ConverterRegistry {
  readonly #converters = new Map<string, Converter>();

  register(from: "text" | "voice", to: TargetStyle, converter: Converter): this {
    this.#converters.set(`${from}→${to}`, converter);
    return this;
  }

  async convert(
    c: Communication,
    target: Address,
    profile: Profile,
    route: RouteOptions,
  ): Promise<Rendition> {
    const from = mediumOf(c.kind);
    const to = styleOf(target);
    const converter = this.#converters.get(`${from}→${to}`);
    if (!converter) throw new ConversionError(`no conversion from ${from} to ${to} is available`);
    return converter(c, profile, route);
  }
}

export interface ConverterDeps {
  /** Signed links to recordings, for voice → text (implemented by http, injected at the root). */
  audioLinks: AudioLinks;
  /** STT of stored audio, for recordings no call transcriber heard (absent: engine "none"). */
  transcribeAudio?: TranscribeAudio;
  /** What voicemail is attached as when the route names no format (`voicemail.audioFormat`). */
  audioFormat?: AudioFormat;
}

/** The conversions this build ships with. */
export function defaultConverters(deps: ConverterDeps): ConverterRegistry {
  const textOnly =
    (style: "mail" | "chat"): Converter =>
    (c, profile) => {
      if (!isText(c)) throw new ConversionError(`${c.kind} is not text`);
      return textToText(c, profile, style);
    };
  const transcripts = new TranscriptPolicy(deps.transcribeAudio);
  const fromVoice =
    (style: "mail" | "chat"): Converter =>
    async (c, _profile, route) => {
      if (isText(c)) throw new ConversionError(`${c.kind} is not voice`);
      const heard = await transcripts.apply(c, route);
      return voiceToText(heard, deps.audioLinks, style, route.audioFormat ?? deps.audioFormat);
    };
  // The stored recording is already 8 kHz telephone audio or a WAV the phone adapter converts
  // (gateway/convert/phone-audio.ts), so voice → voice names the same audio.
  const voiceToVoice: Converter = (c, _profile, route) => {
    if (isText(c)) throw new ConversionError(`${c.kind} is not voice`);
    const transcript = transcribes(route) ? c.body.transcript : "";
    const rendition: AudioRendition = {
      medium: "voice",
      audioId: c.body.audioId,
      durationMs: c.body.durationMs,
      notes: [...c.warnings],
    };
    if (transcript?.trim()) rendition.text = transcript.trim();
    return rendition;
  };
  return new ConverterRegistry()
    .register("text", "mail", textOnly("mail"))
    .register("text", "chat", textOnly("chat"))
    .register("voice", "mail", fromVoice("mail"))
    .register("voice", "chat", fromVoice("chat"))
    .register("text", "event", textOnly("mail"))
    .register("voice", "event", fromVoice("mail"))
    .register("voice", "voice", voiceToVoice);
}

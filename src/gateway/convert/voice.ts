// Voice → text conversion (docs/architecture.md "Systems and conversions"): a recorded message
// becomes a mail or chat line naming the caller, the number called, the time and length, the
// transcript when there is one, and a signed link to the audio; mail also attaches the recording
// itself.

import { displayAddress } from "../../core/address.ts";
import type { VoiceCommunication } from "../../core/communication.ts";
import type { AudioLinks } from "../../core/ports.ts";
import { AUDIO_FORMAT_FILES, type AudioFormat } from "../../core/profile.ts";
import type { TextRendition } from "../../core/rendition.ts";
import type { TextStyle } from "./text.ts";

/** "0:42", "12:05": minutes are not wrapped into hours, a voicemail is minutes long. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/** The profile holds no time zone yet, so times are UTC and say so. */
function formatTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** "20250301-100000": sortable, and safe in a file name on every system. */
function fileStamp(at: Date): string {
  return at.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
}

export interface Caller {
  /** The number (ANI) or, failing that, the address the call came from; undefined if withheld. */
  number?: string;
  name?: string;
  /** "Bob, +15550001", "+15550001", "Bob" or "unknown caller": for subjects. */
  label: string;
  /** "Bob <+15550001>" when both are known, else the label: for From lines. */
  display: string;
}

export function callerOf(c: VoiceCommunication): Caller {
  const number = c.ani?.trim() || displayAddress(c.from).trim() || undefined;
  const name = c.callerName?.trim() || undefined;
  const label = name && number ? `${name}, ${number}` : (name ?? number ?? "unknown caller");
  const caller: Caller = { label, display: name && number ? `${name} <${number}>` : label };
  if (number !== undefined) caller.number = number;
  if (name !== undefined) caller.name = name;
  return caller;
}

/** `format` is what the mail attaches (the route's audioFormat, else `voicemail.audioFormat`). */
export function voiceToText(
  c: VoiceCommunication,
  links: AudioLinks,
  style: TextStyle,
  format: AudioFormat = "wav",
): TextRendition {
  const caller = callerOf(c);
  const duration = formatDuration(c.body.durationMs);
  const called = c.dnis?.trim() || displayAddress(c.to);
  // The link plays what the mail attaches; a browser plays all three.
  const audioUrl = links.urlFor(c.body.audioId, undefined, format);
  const transcript = c.body.transcript?.trim();
  const subject = `Voicemail from ${caller.label} (${duration})`;
  const lines =
    style === "mail"
      ? [
          `From:     ${caller.display}`,
          `To:       ${called}`,
          `Received: ${formatTime(c.receivedAt)}`,
          `Length:   ${duration}`,
        ]
      : [subject];
  if (transcript) lines.push(...(style === "mail" ? ["", "Transcript:"] : []), transcript);
  // Mail carries the link in its text; chat clients show the rendition's audioUrl themselves.
  if (style === "mail") lines.push("", `Listen: ${audioUrl}`);
  const rendition: TextRendition = {
    medium: "text",
    subject,
    text: style === "mail" ? `${lines.join("\n")}\n` : lines.join("\n"),
    from: caller.display,
    audioUrl,
    notes: [...c.warnings],
  };
  if (transcript) rendition.transcript = transcript;
  if (style === "mail") {
    const file = AUDIO_FORMAT_FILES[format];
    rendition.attachment = {
      audioId: c.body.audioId,
      format,
      filename: `voicemail-${fileStamp(c.receivedAt)}.${file.extension}`,
      contentType: file.contentType,
    };
  }
  return rendition;
}

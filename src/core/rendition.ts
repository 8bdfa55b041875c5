// A rendition is a communication converted for one medium: computed once per communication and
// medium, shared by every delivery that needs it (docs/architecture.md "Systems and conversions"
// conversion table).

import type { AudioFormat } from "./profile.ts";

export interface TextRendition {
  medium: "text";
  subject: string;
  /** Plain text, HTML stripped, quoted history and signature removed for IM. */
  text: string;
  /** For email targets: the original HTML when there was one. */
  html?: string;
  /** A short sender label: "Bob <bob@example.net>". */
  from: string;
  /**
   * For a communication the user sends out (outbound): the user's name and own address at our
   * domain, so that the recipient's reply comes back to the user.
   */
  sender?: { name: string; email?: string };
  /** What a recording says, when the route lets it be transcribed (also within `text`). */
  transcript?: string;
  /** Authenticated link to audio, when the original was voice. */
  audioUrl?: string;
  /** For email targets: stored audio to attach (the adapter loads the blob when it sends). */
  attachment?: AudioAttachment;
  notes: string[];
}

export interface AudioAttachment {
  /** Id in the audio store. */
  audioId: string;
  /** What the mail carries: the stored WAV as is, or re-encoded when it goes out. */
  format: AudioFormat;
  filename: string;
  contentType: string;
}

export interface AudioRendition {
  medium: "voice";
  audioId: string;
  durationMs: number;
  /** What the audio says, when it was spoken from text (kept beside it as a transcript). */
  text?: string;
  notes: string[];
}

export type Rendition = TextRendition | AudioRendition;

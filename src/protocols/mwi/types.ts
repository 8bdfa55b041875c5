// The application/simple-message-summary model (RFC 3842 §5.2) with the message-context classes of
// RFC 3458 §2, shared by the parser and the writer.

export type MessageClass = "voice" | "fax" | "pager" | "multimedia" | "text" | "none";

/** Output order, and the order the RFC lists the classes in. */
export const MESSAGE_CLASSES: readonly MessageClass[] = [
  "voice",
  "fax",
  "pager",
  "multimedia",
  "text",
  "none",
];

/** Wire names; the parser matches them case-insensitively (they are SIP header names). */
export const CLASS_HEADER: Readonly<Record<MessageClass, string>> = {
  voice: "Voice-Message",
  fax: "Fax-Message",
  pager: "Pager-Message",
  multimedia: "Multimedia-Message",
  text: "Text-Message",
  none: "None",
};

export interface MessageCounts {
  new: number;
  old: number;
  urgentNew?: number;
  urgentOld?: number;
}

export interface MessageSummary {
  waiting: boolean;
  /** The Message-Account URI: which mailbox the counts are for. */
  account?: string;
  classes: Partial<Record<MessageClass, MessageCounts>>;
  /** Message-context headers (To, From, Subject, Date, …) that follow the summary. */
  extraHeaders?: [string, string][];
}

/** A parse either fails outright or succeeds with warnings about the lines it had to skip. */
export type ParseResult<T> =
  | { ok: true; value: T; warnings: string[] }
  | { ok: false; error: string };

/** RFC 3842 §5.2: a msg-count MUST NOT exceed 2^32 - 1. */
export const MAX_MESSAGE_COUNT = 4294967295;

export interface MessageSummaryLimits {
  /** Largest body in bytes (UTF-8); a real summary is a few hundred. */
  maxBytes: number;
  maxExtraHeaders: number;
  maxWarnings: number;
}

export const DEFAULT_MESSAGE_SUMMARY_LIMITS: Readonly<MessageSummaryLimits> = {
  maxBytes: 16 * 1024,
  maxExtraHeaders: 32,
  maxWarnings: 16,
};

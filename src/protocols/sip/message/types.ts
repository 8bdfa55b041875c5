// The SIP message model shared by parser, serializer and response builder (RFC 3261 §7).
// Values stay strings as received; structured views come from the lazy accessors.

import type { SipHeaders } from "./headers.ts";

export interface SipRequest {
  kind: "request";
  method: string;
  uri: string;
  version: string;
  headers: SipHeaders;
  body: Buffer;
}

export interface SipResponse {
  kind: "response";
  status: number;
  reason: string;
  version: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

/** Parameters keyed by lower-cased name; `null` marks a parameter written without `=value`. */
export type SipParams = Map<string, string | null>;

export interface ParseLimits {
  /** Whole message, start line to end of body. */
  maxMessageBytes: number;
  /** Header field values after comma-splitting. */
  maxHeaders: number;
  /** One physical line of the start line or header section, without its line ending. */
  maxHeaderLineBytes: number;
  /**
   * Stream transports (RFC 3261 §18.3) must carry Content-Length; on datagrams a missing one
   * means "the rest of the datagram".
   */
  requireContentLength: boolean;
}

export const DEFAULT_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxMessageBytes: 64 * 1024,
  maxHeaders: 128,
  maxHeaderLineBytes: 8 * 1024,
  requireContentLength: false,
});

/** What was salvaged from a message that failed, enough to address a 400 back to its sender. */
export interface PartialRequest {
  method?: string;
  /** Only Via, From, To, Call-ID and CSeq, raw as received. */
  headers: SipHeaders;
}

export interface ParseFailure {
  ok: false;
  error: string;
  /** A request with a usable top Via that is not an ACK: a response can be routed back. */
  canRespond: boolean;
  /** The status a UAS should answer with: 400, 505 (version) or 513 (too large). */
  status: number;
  partial?: PartialRequest;
}

export type ParseResult = { ok: true; message: SipMessage } | ParseFailure;

// The SDP session description model (RFC 4566 §5) shared by the parser, the formatter and the
// offer/answer rules. Numbers that can exceed 2^53 (session id and version, NTP times) stay strings.

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Media direction (RFC 4566 §6, RFC 3264 §5.1); a stream without one is sendrecv. */
export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

export const DIRECTIONS: readonly Direction[] = ["sendrecv", "sendonly", "recvonly", "inactive"];

/** Only the Internet network type exists in practice, so `IN` is implied and not stored. */
export type AddrType = "IP4" | "IP6";

export interface Connection {
  addrType: AddrType;
  /** An IP literal or a host name (RFC 4566 §5.7 allows an FQDN). */
  address: string;
  /** Multicast `/ttl[/count]` tail, kept verbatim so it survives a round trip. */
  suffix?: string;
}

export interface Origin {
  username: string;
  sessionId: string;
  sessionVersion: string;
  addrType: AddrType;
  address: string;
}

export interface Timing {
  start: string;
  stop: string;
}

/** `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]` (RFC 4566 §6). */
export interface RtpMap {
  payloadType: number;
  encoding: string;
  clockRate: number;
  channels?: number;
}

/** `a=fmtp:<pt> <params>`; the parameters are codec-specific, so they stay one string. */
export interface Fmtp {
  payloadType: number;
  params: string;
}

/** `a=rtcp:<port> [IN <addrtype> <address>]` (RFC 3605). */
export interface Rtcp {
  port: number;
  connection?: Connection;
}

/** Any other attribute, kept as it came: `a=name` (a flag) or `a=name:value`. */
export interface Attribute {
  name: string;
  value?: string;
}

/** A line we do not interpret (i, u, e, p, b, r, z, k or an unknown type), kept verbatim. */
export interface OtherLine {
  type: string;
  value: string;
}

export interface MediaDescription {
  media: string;
  port: number;
  /** The `/<number of ports>` of `m=<media> <port>/<n>`, when present. */
  portCount?: number;
  proto: string;
  formats: string[];
  connection?: Connection;
  rtpmap: RtpMap[];
  fmtp: Fmtp[];
  ptime?: number;
  direction?: Direction;
  rtcp?: Rtcp;
  attributes: Attribute[];
  other: OtherLine[];
}

export interface SessionDescription {
  origin: Origin;
  sessionName: string;
  connection?: Connection;
  timing: Timing[];
  /** Session-level direction: the default for every media description without its own. */
  direction?: Direction;
  attributes: Attribute[];
  other: OtherLine[];
  media: MediaDescription[];
}

export interface SdpLimits {
  /** Largest body in bytes (UTF-8). */
  maxBytes: number;
  maxLines: number;
  maxLineLength: number;
  maxMedia: number;
}

export const DEFAULT_SDP_LIMITS: Readonly<SdpLimits> = {
  maxBytes: 64 * 1024,
  maxLines: 1024,
  maxLineLength: 4096,
  maxMedia: 32,
};

// Vocabulary shared by both sides of G.711 offer/answer (RFC 3264 §5–6): static payload types
// (RFC 3551 §6), telephone-event (RFC 4733 §7), direction arithmetic and our own m=audio.
import type { SdesSuite, SrtpMode } from "./crypto.ts";
import type { AddrType, Direction, MediaDescription, Origin, SessionDescription } from "./types.ts";

export type AudioCodec = "PCMU" | "PCMA";

export const STATIC_PAYLOAD_TYPE: Readonly<Record<AudioCodec, number>> = { PCMU: 0, PCMA: 8 };
/** The dynamic payload type we offer telephone-event on; answers reuse whatever the offer used. */
export const TELEPHONE_EVENT_PT = 101;
/** DTMF digits 0-9, *, #, A-D: all the events our RFC 4733 receiver turns into digits. */
export const TELEPHONE_EVENT_FMTP = "0-15";

export interface LocalAudio {
  address: string;
  port: number;
  sessionId: string | number | bigint;
  sessionVersion: string | number | bigint;
  username?: string;
  /** Codecs we accept, best first. */
  codecs: readonly AudioCodec[];
  telephoneEvent: boolean;
  /** Packetization interval we send and would like to receive, in ms. */
  ptime: number;
  /** What we want to do on the stream (sendonly puts the peer on hold); sendrecv by default. */
  direction?: Direction;
  /** SRTP with SDES keys (RFC 4568); off when not given. */
  srtp?: SrtpMode;
  /** Accept comfort noise (RFC 3389, `CN/8000`) when the offer has it. */
  comfortNoise?: boolean;
}

/** The keys of an SRTP stream: ours (we send with it) and the peer's (it sends with it). */
export interface NegotiatedSrtp {
  suite: SdesSuite;
  sendKey: Buffer;
  receiveKey: Buffer;
}

export interface NegotiatedAudio {
  /** Where to send RTP. 0.0.0.0 (or ::) means the peer has put us on hold the RFC 2543 way. */
  remote: { address: string; port: number };
  /** Where the peer wants RTCP when it said so with a=rtcp (RFC 3605); else remote port + 1. */
  remoteRtcp?: { address: string; port: number };
  codec: AudioCodec;
  payloadType: number;
  telephoneEventPt?: number;
  /** Comfort noise payload type (RFC 3389), when both sides have it. */
  comfortNoisePt?: number;
  /** What WE do: sendonly means we send and expect nothing back. */
  direction: Direction;
  /** The interval we send at and asked for, in ms. */
  ptime: number;
  /** The interval the peer asked to receive (its a=ptime), for a sender that can honour it. */
  remotePtime?: number;
  /** Present when the stream is SRTP: RTP must be protected with these keys. */
  srtp?: NegotiatedSrtp;
}

interface FormatInfo {
  encoding: string;
  clockRate: number;
  channels: number;
}

// RFC 3551 §6 static audio payload types; only used to name what a peer offered in a 488.
const STATIC_FORMATS: Readonly<Record<number, string>> = {
  0: "PCMU/8000",
  3: "GSM/8000",
  4: "G723/8000",
  5: "DVI4/8000",
  6: "DVI4/16000",
  7: "LPC/8000",
  8: "PCMA/8000",
  9: "G722/8000",
  10: "L16/44100/2",
  11: "L16/44100",
  12: "QCELP/8000",
  13: "CN/8000",
  14: "MPA/90000",
  15: "G728/8000",
  16: "DVI4/11025",
  17: "DVI4/22050",
  18: "G729/8000",
};

/** What a payload type means: the stream's rtpmap wins, then the other side's, then RFC 3551. */
export function describeFormat(
  m: MediaDescription,
  pt: number,
  fallback?: MediaDescription,
): FormatInfo | undefined {
  const map =
    m.rtpmap.find((r) => r.payloadType === pt) ??
    fallback?.rtpmap.find((r) => r.payloadType === pt);
  if (map !== undefined) {
    return { encoding: map.encoding, clockRate: map.clockRate, channels: map.channels ?? 1 };
  }
  const known = STATIC_FORMATS[pt];
  if (known === undefined) return undefined;
  const [encoding, rate, channels] = known.split("/");
  return { encoding: encoding!, clockRate: Number(rate), channels: Number(channels ?? 1) };
}

export function formatName(m: MediaDescription, fmt: string, fallback?: MediaDescription): string {
  const info = describeFormat(m, Number(fmt), fallback);
  if (info === undefined) return `payload type ${fmt}`;
  const channels = info.channels > 1 ? `/${info.channels}` : "";
  return `${info.encoding}/${info.clockRate}${channels}`;
}

/** Encoding names are case-insensitive (RFC 4855 §3); G.711 is only ever mono at 8 kHz. */
export function codecOf(info: FormatInfo | undefined): AudioCodec | null {
  if (info === undefined || info.clockRate !== 8000 || info.channels !== 1) return null;
  const name = info.encoding.toUpperCase();
  return name === "PCMU" || name === "PCMA" ? name : null;
}

export function isComfortNoise(info: FormatInfo | undefined): boolean {
  return info?.encoding.toUpperCase() === "CN" && info.clockRate === 8000;
}

export function isTelephoneEvent(info: FormatInfo | undefined): boolean {
  return info?.encoding.toLowerCase() === "telephone-event" && info.clockRate === 8000;
}

export function effectiveDirection(s: SessionDescription, m: MediaDescription): Direction {
  return m.direction ?? s.direction ?? "sendrecv";
}

export function sends(d: Direction): boolean {
  return d === "sendrecv" || d === "sendonly";
}

export function receives(d: Direction): boolean {
  return d === "sendrecv" || d === "recvonly";
}

export function directionOf(send: boolean, receive: boolean): Direction {
  if (send) return receive ? "sendrecv" : "sendonly";
  return receive ? "recvonly" : "inactive";
}

/** The RFC 2543 hold address: nothing can be sent there. */
export function isNullAddress(address: string): boolean {
  return address === "0.0.0.0" || (address.includes(":") && /^[0:]+$/.test(address));
}

export function addrTypeOf(address: string): AddrType {
  return address.includes(":") ? "IP6" : "IP4";
}

export function localOrigin(local: LocalAudio): Origin {
  return {
    username: local.username ?? "-",
    sessionId: String(local.sessionId),
    sessionVersion: String(local.sessionVersion),
    addrType: addrTypeOf(local.address),
    address: local.address,
  };
}

/** Our m=audio: the given payload types in order, with rtpmap even for static ones (clearer). */
export function audioMedia(
  local: LocalAudio,
  codecs: readonly { codec: AudioCodec; pt: number }[],
  telephoneEventPt: number | undefined,
  direction: Direction,
  comfortNoisePt?: number,
): MediaDescription {
  const m: MediaDescription = {
    media: "audio",
    port: local.port,
    proto: "RTP/AVP",
    formats: codecs.map((c) => String(c.pt)),
    rtpmap: codecs.map((c) => ({ payloadType: c.pt, encoding: c.codec, clockRate: 8000 })),
    fmtp: [],
    ptime: local.ptime,
    direction,
    attributes: [],
    other: [],
  };
  if (telephoneEventPt !== undefined) {
    m.formats.push(String(telephoneEventPt));
    m.rtpmap.push({ payloadType: telephoneEventPt, encoding: "telephone-event", clockRate: 8000 });
    m.fmtp.push({ payloadType: telephoneEventPt, params: TELEPHONE_EVENT_FMTP });
  }
  if (comfortNoisePt !== undefined) {
    m.formats.push(String(comfortNoisePt));
    m.rtpmap.push({ payloadType: comfortNoisePt, encoding: "CN", clockRate: 8000 });
  }
  return m;
}

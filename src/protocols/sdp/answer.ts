// RFC 3264 §6 answerer for one G.711 audio stream: every offered m= line is answered in its place,
// the first usable RTP/AVP audio stream is accepted and every other stream is rejected with port 0.
import {
  type AudioCodec,
  addrTypeOf,
  audioMedia,
  codecOf,
  describeFormat,
  directionOf,
  effectiveDirection,
  formatName,
  isComfortNoise,
  isNullAddress,
  isTelephoneEvent,
  type LocalAudio,
  localOrigin,
  type NegotiatedAudio,
  receives,
  sends,
} from "./audio.ts";
import { chooseKey, formatCrypto, newSdesKey, type SdesKey } from "./crypto.ts";
import type { MediaDescription, SessionDescription } from "./types.ts";

export type AnswerResult =
  | { ok: true; answer: SessionDescription; media: NegotiatedAudio }
  | { ok: false; status: 488; reason: string };

// A 488 reason ends up in a SIP reason phrase or Warning header: keep it readable.
const MAX_NAMED_FORMATS = 8;

/** The first of OUR codecs that the stream offers, with the payload type the offer gave it. */
export function pickCodec(
  m: MediaDescription,
  codecs: readonly AudioCodec[],
): { codec: AudioCodec; pt: number } | null {
  for (const codec of codecs) {
    for (const fmt of m.formats) {
      const pt = Number(fmt);
      if (codecOf(describeFormat(m, pt)) === codec) return { codec, pt };
    }
  }
  return null;
}

export function pickTelephoneEvent(
  m: MediaDescription,
  fallback?: MediaDescription,
): number | undefined {
  for (const fmt of m.formats) {
    const pt = Number(fmt);
    if (isTelephoneEvent(describeFormat(m, pt, fallback))) return pt;
  }
  return undefined;
}

/** The offer's comfort noise payload type (RFC 3389), static 13 or a mapped CN/8000. */
export function pickComfortNoise(m: MediaDescription): number | undefined {
  for (const fmt of m.formats) {
    const pt = Number(fmt);
    if (isComfortNoise(describeFormat(m, pt))) return pt;
  }
  return undefined;
}

function offeredNames(m: MediaDescription): string {
  const names = m.formats.slice(0, MAX_NAMED_FORMATS).map((f) => formatName(m, f));
  return names.join(", ") + (m.formats.length > MAX_NAMED_FORMATS ? ", …" : "");
}

/** A rejected stream keeps its media, transport and formats so the offerer can match it up. */
function rejected(m: MediaDescription): MediaDescription {
  return {
    media: m.media,
    port: 0,
    proto: m.proto,
    formats: [...m.formats],
    rtpmap: [],
    fmtp: [],
    attributes: [],
    other: [],
  };
}

/**
 * The peer's SRTP key for an offered stream, null for plain RTP, or why the stream is refused.
 * RTP/SAVP needs a usable key and SRTP not turned off; RTP/AVP with a=crypto ("best effort" SRTP,
 * as baresip's `mediaenc=srtp` offers) is answered with SRTP unless we are off; plain RTP/AVP is
 * refused only when SRTP is required.
 */
function srtpFor(
  m: MediaDescription,
  savp: boolean,
  mode: "off" | "offer" | "require",
): { ok: true; value: SdesKey | null } | { ok: false; error: string } {
  if (mode === "off") {
    return savp
      ? { ok: false, error: `SRTP (${m.proto}) is turned off (sip.srtp: off)` }
      : { ok: true, value: null };
  }
  const key = chooseKey(m);
  if (key.ok) return key;
  if (savp) return { ok: false, error: `SRTP (${m.proto}): ${key.error}` };
  if (mode === "require") {
    return {
      ok: false,
      error: `SRTP is required (sip.srtp: require) and the offer has ${key.error}`,
    };
  }
  return { ok: true, value: null };
}

/**
 * Answers an offer for one audio stream. Fails with 488 (Not Acceptable Here) when no audio stream
 * is usable; the reason says what was offered so the log explains the failed call.
 */
export function answerOffer(offer: SessionDescription, local: LocalAudio): AnswerResult {
  const problems: string[] = [];
  for (let index = 0; index < offer.media.length; index++) {
    const m = offer.media[index]!;
    if (m.media.toLowerCase() !== "audio" || m.port === 0) continue;
    const proto = m.proto.toUpperCase();
    if (proto !== "RTP/AVP" && proto !== "RTP/SAVP") {
      problems.push(`transport ${m.proto} is not supported`);
      continue;
    }
    const security = srtpFor(m, proto === "RTP/SAVP", local.srtp ?? "off");
    if (!security.ok) {
      problems.push(security.error);
      continue;
    }
    const theirKey = security.value;
    const chosen = pickCodec(m, local.codecs);
    if (chosen === null) {
      problems.push(
        `no common codec: offered ${offeredNames(m)}; we accept ${local.codecs.join(", ")}`,
      );
      continue;
    }
    const conn = m.connection ?? offer.connection;
    if (conn === undefined) {
      problems.push("audio stream without a c= address");
      continue;
    }

    const theirs = effectiveDirection(offer, m);
    const ours = local.direction ?? "sendrecv";
    // Sending to the RFC 2543 hold address 0.0.0.0 is pointless, whatever the attribute says.
    const send = receives(theirs) && sends(ours) && !isNullAddress(conn.address);
    const direction = directionOf(send, sends(theirs) && receives(ours));
    const tePt = local.telephoneEvent ? pickTelephoneEvent(m) : undefined;
    const cnPt = local.comfortNoise ? pickComfortNoise(m) : undefined;

    const media: NegotiatedAudio = {
      remote: { address: conn.address, port: m.port },
      codec: chosen.codec,
      payloadType: chosen.pt,
      direction,
      ptime: local.ptime,
    };
    if (tePt !== undefined) media.telephoneEventPt = tePt;
    if (cnPt !== undefined) media.comfortNoisePt = cnPt;
    if (m.ptime !== undefined) media.remotePtime = m.ptime;
    if (m.rtcp !== undefined) {
      media.remoteRtcp = { address: m.rtcp.connection?.address ?? conn.address, port: m.rtcp.port };
    }

    const stream = audioMedia(local, [chosen], tePt, direction, cnPt);
    if (theirKey !== null) {
      // Same tag and suite, our own fresh key (RFC 4568 §7.1.2); the answer keeps the offer's proto.
      const ours = newSdesKey(theirKey.tag, theirKey.suite);
      stream.proto = m.proto;
      stream.attributes.push({ name: "crypto", value: formatCrypto(ours) });
      media.srtp = { suite: ours.suite, sendKey: ours.key, receiveKey: theirKey.key };
    }

    const answer: SessionDescription = {
      origin: localOrigin(local),
      sessionName: "-",
      connection: { addrType: addrTypeOf(local.address), address: local.address },
      // RFC 3264 §6: the answer's t= must equal the offer's.
      timing:
        offer.timing.length > 0 ? offer.timing.map((t) => ({ ...t })) : [{ start: "0", stop: "0" }],
      attributes: [],
      other: [],
      media: offer.media.map((x, i) => (i === index ? stream : rejected(x))),
    };
    return { ok: true, answer, media };
  }
  const reason =
    problems.length > 0 ? [...new Set(problems)].join("; ") : "no audio stream offered";
  return { ok: false, status: 488, reason };
}

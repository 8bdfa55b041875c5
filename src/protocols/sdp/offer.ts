// RFC 3264 §5 and §7 for outbound calls: our G.711 audio offer, and reading the peer's answer to
// it into the stream parameters RTP needs.
import { pickTelephoneEvent } from "./answer.ts";
import {
  addrTypeOf,
  audioMedia,
  codecOf,
  describeFormat,
  directionOf,
  effectiveDirection,
  formatName,
  isNullAddress,
  type LocalAudio,
  localOrigin,
  type NegotiatedAudio,
  receives,
  STATIC_PAYLOAD_TYPE,
  sends,
  TELEPHONE_EVENT_PT,
} from "./audio.ts";
import {
  chooseKey,
  cryptoAttributes,
  formatCrypto,
  newSdesKey,
  SDES_SUITES,
  usableKey,
} from "./crypto.ts";
import type { MediaDescription, ParseResult, SessionDescription } from "./types.ts";

const DEFAULT_PTIME = 20;

/**
 * An offer with one m=audio: our codecs in preference order, then telephone-event if wanted.
 * With SRTP `offer` the stream is RTP/AVP with an a=crypto key ("best effort": a peer without
 * SRTP ignores the attribute and answers plain RTP); with `require` it is RTP/SAVP.
 */
export function createOffer(local: LocalAudio): SessionDescription {
  const m = audioMedia(
    local,
    codecs(local),
    local.telephoneEvent ? TELEPHONE_EVENT_PT : undefined,
    local.direction ?? "sendrecv",
  );
  const mode = local.srtp ?? "off";
  if (mode !== "off") {
    if (mode === "require") m.proto = "RTP/SAVP";
    m.attributes.push({ name: "crypto", value: formatCrypto(newSdesKey(1, SDES_SUITES[0]!)) });
  }
  return {
    origin: localOrigin(local),
    sessionName: "-",
    connection: { addrType: addrTypeOf(local.address), address: local.address },
    timing: [{ start: "0", stop: "0" }],
    attributes: [],
    other: [],
    media: [m],
  };
}

function codecs(local: LocalAudio): { codec: LocalAudio["codecs"][number]; pt: number }[] {
  return [...new Set(local.codecs)].map((codec) => ({ codec, pt: STATIC_PAYLOAD_TYPE[codec] }));
}

function offeredAudioIndex(offer: SessionDescription): number {
  return offer.media.findIndex(
    (m) =>
      m.media.toLowerCase() === "audio" &&
      (m.proto.toUpperCase() === "RTP/AVP" || m.proto.toUpperCase() === "RTP/SAVP") &&
      m.port !== 0,
  );
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

/**
 * Reads the answer to an offer we made. The codec we send is the first G.711 format the answer
 * lists (RFC 3264 §7); the answer may omit rtpmap for a payload type we defined in the offer.
 */
export function parseAnswer(
  answer: SessionDescription,
  offer: SessionDescription,
): ParseResult<NegotiatedAudio> {
  // RFC 3264 §6: streams are matched by position, so the counts must agree.
  if (answer.media.length !== offer.media.length) {
    return fail(`answer has ${answer.media.length} m= lines, the offer had ${offer.media.length}`);
  }
  const index = offeredAudioIndex(offer);
  if (index < 0) return fail("the offer has no RTP/AVP or RTP/SAVP audio stream");
  const ours: MediaDescription = offer.media[index]!;
  const theirs: MediaDescription = answer.media[index]!;
  if (
    theirs.media.toLowerCase() !== "audio" ||
    theirs.proto.toUpperCase() !== ours.proto.toUpperCase()
  ) {
    return fail(
      `answer stream ${index + 1} is ${theirs.media} ${theirs.proto}, not audio ${ours.proto}`,
    );
  }
  if (theirs.port === 0) return fail("the answer rejected the audio stream");
  const srtp = answeredSrtp(ours, theirs);
  if (!srtp.ok) return srtp;

  let chosen: { codec: "PCMU" | "PCMA"; pt: number } | null = null;
  for (const fmt of theirs.formats) {
    const codec = codecOf(describeFormat(theirs, Number(fmt), ours));
    if (codec !== null) {
      chosen = { codec, pt: Number(fmt) };
      break;
    }
  }
  if (chosen === null) {
    const names = theirs.formats.slice(0, 8).map((f) => formatName(theirs, f, ours));
    return fail(`the answer has no PCMU or PCMA: ${names.join(", ")}`);
  }
  const conn = theirs.connection ?? answer.connection;
  if (conn === undefined) return fail("the answer's audio stream has no c= address");

  const wanted = effectiveDirection(offer, ours);
  const answered = effectiveDirection(answer, theirs);
  const send = sends(wanted) && receives(answered) && !isNullAddress(conn.address);
  const media: NegotiatedAudio = {
    remote: { address: conn.address, port: theirs.port },
    codec: chosen.codec,
    payloadType: chosen.pt,
    direction: directionOf(send, receives(wanted) && sends(answered)),
    ptime: ours.ptime ?? DEFAULT_PTIME,
  };
  if (srtp.value !== undefined) media.srtp = srtp.value;
  const tePt =
    pickTelephoneEvent(ours) === undefined ? undefined : pickTelephoneEvent(theirs, ours);
  if (tePt !== undefined) media.telephoneEventPt = tePt;
  if (theirs.ptime !== undefined) media.remotePtime = theirs.ptime;
  if (theirs.rtcp !== undefined) {
    media.remoteRtcp = {
      address: theirs.rtcp.connection?.address ?? conn.address,
      port: theirs.rtcp.port,
    };
  }
  return { ok: true, value: media };
}

/**
 * The SRTP keys of an answered stream (RFC 4568 §7.1.3): the answer's a=crypto must name the tag
 * and suite we offered. An RTP/AVP answer without one means the peer chose plain RTP.
 */
function answeredSrtp(
  ours: MediaDescription,
  theirs: MediaDescription,
): ParseResult<NegotiatedAudio["srtp"]> {
  const offered = cryptoAttributes(ours).flatMap((a) => (a.ok ? [a.value] : []));
  const savp = ours.proto.toUpperCase() === "RTP/SAVP";
  if (offered.length === 0) return { ok: true, value: undefined };
  if (cryptoAttributes(theirs).length === 0) {
    return savp ? fail("the RTP/SAVP answer has no a=crypto key") : { ok: true, value: undefined };
  }
  const key = chooseKey(theirs);
  if (!key.ok) return fail(`the answer's ${key.error}`);
  const mine = offered.find((a) => a.tag === key.value.tag && a.suite === key.value.suite);
  const sent = mine === undefined ? undefined : usableKey(mine);
  if (sent === undefined || !sent.ok) {
    return fail(`the answer's a=crypto ${key.value.tag} ${key.value.suite} matches no offered key`);
  }
  const sendKey = sent.value.key;
  return { ok: true, value: { suite: key.value.suite, sendKey, receiveKey: key.value.key } };
}

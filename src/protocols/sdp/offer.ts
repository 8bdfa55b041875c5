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
import type { MediaDescription, ParseResult, SessionDescription } from "./types.ts";

const DEFAULT_PTIME = 20;

/** An offer with one m=audio: our codecs in preference order, then telephone-event if wanted. */
export function createOffer(local: LocalAudio): SessionDescription {
  const codecs = [...new Set(local.codecs)].map((codec) => ({
    codec,
    pt: STATIC_PAYLOAD_TYPE[codec],
  }));
  const tePt = local.telephoneEvent ? TELEPHONE_EVENT_PT : undefined;
  return {
    origin: localOrigin(local),
    sessionName: "-",
    connection: { addrType: addrTypeOf(local.address), address: local.address },
    timing: [{ start: "0", stop: "0" }],
    attributes: [],
    other: [],
    media: [audioMedia(local, codecs, tePt, local.direction ?? "sendrecv")],
  };
}

function offeredAudioIndex(offer: SessionDescription): number {
  return offer.media.findIndex(
    (m) => m.media.toLowerCase() === "audio" && m.proto.toUpperCase() === "RTP/AVP" && m.port !== 0,
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
  if (index < 0) return fail("the offer has no RTP/AVP audio stream");
  const ours: MediaDescription = offer.media[index]!;
  const theirs: MediaDescription = answer.media[index]!;
  if (theirs.media.toLowerCase() !== "audio" || theirs.proto.toUpperCase() !== "RTP/AVP") {
    return fail(`answer stream ${index + 1} is ${theirs.media} ${theirs.proto}, not audio RTP/AVP`);
  }
  if (theirs.port === 0) return fail("the answer rejected the audio stream");

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

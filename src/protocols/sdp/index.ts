// SDP (RFC 4566) parsing and writing, and G.711 audio offer/answer (RFC 3264): the public surface
// the SIP user agent uses for calls.
export { type AnswerResult, answerOffer } from "./answer.ts";
export type { AudioCodec, LocalAudio, NegotiatedAudio, NegotiatedSrtp } from "./audio.ts";
export type { SrtpMode } from "./crypto.ts";
export { formatSdp } from "./format.ts";
export { createOffer, parseAnswer } from "./offer.ts";
export { parseSdp } from "./parse.ts";
export * from "./types.ts";

// Public face of the SIP message layer (RFC 3261 §7, §18.3, §19, §20, §25): parse, inspect,
// build and serialize messages. Transport and transaction layers import from here only.

export { type AuthParams, parseAuthParams } from "./auth-params.ts";
export { canonicalName, headerKey, isListHeader } from "./header-names.ts";
export {
  type CSeq,
  isValidCallId,
  type NameAddr,
  parseContentLength,
  parseCSeq,
  parseMaxForwards,
  parseNameAddr,
  parseVia,
  type Via,
} from "./header-values.ts";
export { type HeaderEntry, SipHeaders } from "./headers.ts";
export { parseMessage } from "./parser.ts";
export { buildResponse, type ResponseOptions } from "./response.ts";
export { serializeHead, serializeMessage } from "./serializer.ts";
export { type FrameBatch, SipStreamFramer } from "./stream-framer.ts";
export { splitList } from "./syntax.ts";
export * from "./types.ts";
export { isAbsoluteUri, parseUri, type SipUri, uriScheme } from "./uri.ts";

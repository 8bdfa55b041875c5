// RFC 3842 message-summary bodies: what SIP MWI NOTIFYs carry, in both directions.
export { formatMessageSummary } from "./format.ts";
export { parseMessageSummary } from "./parse.ts";
export * from "./types.ts";

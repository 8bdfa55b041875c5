// SMDI (Telcordia GR-283-CORE) for legacy voicemail systems: frame codec, TCP link in either role,
// and the switch role omnivox plays towards a voicemail system.
export {
  encodeCallDetail,
  encodeFrame,
  encodeMwi,
  encodeMwiError,
  SmdiDecoder,
  type SmdiDecoderOptions,
} from "./codec.ts";
export * from "./frames.ts";
export * from "./link.ts";
export {
  type Reconnect,
  type RedialBackoff,
  reconnect,
  type Timers,
} from "./reconnect.ts";
export * from "./switch-role.ts";

// Public face of the SIP transport layer (RFC 3261 §18): UDP, TCP and an in-memory loop pair.

export { createLoopPair, type LoopOptions, LoopTransport } from "./loop.ts";
export { TcpTransport, type TcpTransportOptions } from "./tcp.ts";
export * from "./types.ts";
export { UdpTransport, type UdpTransportOptions } from "./udp.ts";

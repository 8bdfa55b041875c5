// Public face of the SIP transport layer (RFC 3261 §18): UDP, TCP, TLS and an in-memory loop pair.

export { createLoopPair, type LoopOptions, LoopTransport } from "./loop.ts";
export { type StreamSockets, StreamTransport, type StreamTransportOptions } from "./stream.ts";
export { TcpTransport, type TcpTransportOptions } from "./tcp.ts";
export { TlsTransport, type TlsTransportOptions } from "./tls.ts";
export * from "./types.ts";
export { UdpTransport, type UdpTransportOptions } from "./udp.ts";

// SIP over TCP (RFC 3261 §18.3): the stream transport over plain node:net sockets.

import { connect, createServer, isIPv6 } from "node:net";
import { StreamTransport, type StreamTransportOptions } from "./stream.ts";

export type TcpTransportOptions = StreamTransportOptions;

export class TcpTransport extends StreamTransport {
  constructor(options: TcpTransportOptions) {
    super(options, {
      kind: "tcp",
      createServer: (onSocket) => createServer(onSocket),
      connect: (dest) =>
        connect({ host: dest.host, port: dest.port, family: isIPv6(dest.host) ? 6 : undefined }),
      connectedEvent: "connect",
    });
  }
}

// SIP over TLS (RFC 3261 §26.3.1, §18.3 framing): the stream transport over node:tls sockets.
// Inbound phones are not asked for a certificate (they authenticate with digest, §26.3.2.2);
// connections we open verify the peer's certificate unless `rejectUnauthorized` is false.

import { isIP } from "node:net";
import { connect, createServer } from "node:tls";
import { StreamTransport, type StreamTransportOptions } from "./stream.ts";

export interface TlsTransportOptions extends StreamTransportOptions {
  /** PEM certificate chain and private key of our listener. */
  cert: string | Buffer;
  key: string | Buffer;
  /** Trust anchors for connections we open (default: Node's CA list). */
  ca?: string | Buffer;
  /** Verify the certificate of a peer we connect to (default true). */
  rejectUnauthorized?: boolean;
  /** Bound on one handshake (default 10 s); a silent client is cut off then. */
  handshakeTimeoutMs?: number;
}

export class TlsTransport extends StreamTransport {
  constructor(options: TlsTransportOptions) {
    const { cert, key, ca } = options;
    super(options, {
      kind: "tls",
      createServer: (onSocket) =>
        createServer(
          { cert, key, handshakeTimeout: options.handshakeTimeoutMs ?? 10_000 },
          onSocket,
        ),
      connect: (dest) =>
        connect({
          host: dest.host,
          port: dest.port,
          // SNI carries names only (RFC 6066 §3).
          ...(isIP(dest.host) === 0 ? { servername: dest.host } : {}),
          ...(ca !== undefined ? { ca } : {}),
          rejectUnauthorized: options.rejectUnauthorized ?? true,
        }),
      connectedEvent: "secureConnect",
    });
  }
}

// A scripted XMPP server for unit tests: accepts component streams (XEP-0114) on 127.0.0.1:0,
// checks the handshake against a secret, and lets the test write raw bytes to the component.

import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { handshakeDigest } from "../../src/protocols/xmpp/component.ts";
import { StreamParser } from "../../src/protocols/xmpp/parser.ts";
import { localName, text, type XmlElement } from "../../src/protocols/xmpp/xml.ts";

export interface FakeSession {
  socket: Socket;
  /** Stanzas the component sent after the handshake, and everything it wrote. */
  stanzas: XmlElement[];
  raw: string;
  closed: Promise<void>;
}

export interface FakeServerOptions {
  secret: string;
  /** Called when a session is online (or right after the stream header with `noHandshake`). */
  onSession?: (session: FakeSession) => void;
}

export class FakeComponentServer {
  readonly server: Server;
  readonly sessions: FakeSession[] = [];
  /** How many TCP connections arrived. */
  connections = 0;
  readonly #sockets = new Set<Socket>();
  #nextId = 1;

  constructor(readonly options: FakeServerOptions) {
    this.server = createServer((socket) => this.#accept(socket));
  }

  async listen(): Promise<number> {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    const address = this.server.address();
    if (!address || typeof address === "string") throw new Error("no port");
    return address.port;
  }

  #accept(socket: Socket): void {
    this.connections++;
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    const id = `fake-${this.#nextId++}`;
    const session: FakeSession = {
      socket,
      stanzas: [],
      raw: "",
      closed: once(socket, "close").then(() => {}),
    };
    let online = false;
    const parser = new StreamParser({
      streamStart: () => {
        socket.write(
          `<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' id='${id}'>`,
        );
      },
      stanza: (el) => {
        if (!online && localName(el) === "handshake") {
          if (text(el) === handshakeDigest(id, this.options.secret)) {
            online = true;
            socket.write("<handshake/>");
            this.sessions.push(session);
            this.options.onSession?.(session);
          } else {
            socket.end(
              "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>",
            );
          }
        } else session.stanzas.push(el);
      },
      streamEnd: () => {
        if (socket.writable) socket.end("</stream:stream>");
      },
    });
    socket.on("data", (chunk) => {
      session.raw += chunk.toString();
      try {
        parser.write(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on("error", () => {});
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

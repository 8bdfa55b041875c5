// A hand-driven SIP UDP client for hostile-traffic tests: sends the exact requests a test
// builds (replayed Authorization, no qop, a chosen source address) and returns the final answer.
// Our own message parser reads the responses; nothing here retransmits or answers challenges.

import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { parseMessage, type SipResponse } from "../../src/protocols/sip/message/index.ts";

export interface RegisterFields {
  /** Request-URI and To/From domain; default "localhost". */
  domain?: string;
  user: string;
  callId: string;
  cseq: number;
  contact?: string;
  authorization?: string;
  expires?: number;
}

export class RawSipClient {
  readonly #socket: Socket;
  readonly #waiting = new Map<string, (res: SipResponse) => void>();

  private constructor(
    socket: Socket,
    readonly host: string,
    readonly port: number,
  ) {
    this.#socket = socket;
    socket.on("message", (buf) => {
      const parsed = parseMessage(buf);
      if (!parsed.ok || parsed.message.kind !== "response") return;
      const res = parsed.message;
      if (res.status < 200) return;
      const branch = /branch=([^;,\s]+)/.exec(res.headers.get("via") ?? "")?.[1];
      const done = branch === undefined ? undefined : this.#waiting.get(branch);
      if (done) {
        this.#waiting.delete(branch!);
        done(res);
      }
    });
  }

  /** Binds to `host` (any 127.0.0.0/8 address works on Linux loopback) on a free port. */
  static async open(host: string): Promise<RawSipClient> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind({ address: host, port: 0 }, () => resolve());
    });
    return new RawSipClient(socket, host, socket.address().port);
  }

  /** REGISTER for `user@domain`; resolves with the final response (rejects after 10 s). */
  register(server: { host: string; port: number }, f: RegisterFields): Promise<SipResponse> {
    const domain = f.domain ?? "localhost";
    const branch = `z9hG4bK${randomBytes(8).toString("hex")}`;
    const lines = [
      `REGISTER sip:${domain} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.host}:${this.port};branch=${branch};rport`,
      "Max-Forwards: 70",
      `From: <sip:${f.user}@${domain}>;tag=${f.callId.slice(0, 8)}`,
      `To: <sip:${f.user}@${domain}>`,
      `Call-ID: ${f.callId}`,
      `CSeq: ${f.cseq} REGISTER`,
      ...(f.contact === undefined
        ? []
        : [`Contact: <${f.contact}>`, `Expires: ${f.expires ?? 60}`]),
      ...(f.authorization === undefined ? [] : [`Authorization: ${f.authorization}`]),
      "Content-Length: 0",
      "",
      "",
    ];
    const done = this.#await(branch, `REGISTER (CSeq ${f.cseq})`);
    this.#socket.send(lines.join("\r\n"), server.port, server.host);
    return done;
  }

  /**
   * An INVITE from `from` to `to` (user parts at "localhost") with a G.711 offer; resolves with
   * the final response, which must be an error (it is ACKed as RFC 3261 §17.1.1.3 says).
   */
  async invite(
    server: { host: string; port: number },
    f: { from: string; to: string; callId: string },
  ): Promise<SipResponse> {
    const branch = `z9hG4bK${randomBytes(8).toString("hex")}`;
    const uri = `sip:${f.to}@localhost`;
    const fromTag = f.callId.slice(0, 8);
    const sdp = [
      "v=0",
      `o=- 1 1 IN IP4 ${this.host}`,
      "s=-",
      `c=IN IP4 ${this.host}`,
      "t=0 0",
      "m=audio 40000 RTP/AVP 0",
      "a=rtpmap:0 PCMU/8000",
      "",
    ].join("\r\n");
    const head = (method: string, to: string) => [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.host}:${this.port};branch=${branch};rport`,
      "Max-Forwards: 70",
      `From: <sip:${f.from}@localhost>;tag=${fromTag}`,
      `To: ${to}`,
      `Call-ID: ${f.callId}`,
      `CSeq: 1 ${method}`,
    ];
    const done = this.#await(branch, "INVITE");
    const invite = [
      ...head("INVITE", `<${uri}>`),
      `Contact: <sip:${f.from}@${this.host}:${this.port}>`,
      "Content-Type: application/sdp",
      `Content-Length: ${Buffer.byteLength(sdp)}`,
      "",
      sdp,
    ];
    this.#socket.send(invite.join("\r\n"), server.port, server.host);
    const res = await done;
    const ack = [...head("ACK", res.headers.get("to") ?? `<${uri}>`), "Content-Length: 0", "", ""];
    this.#socket.send(ack.join("\r\n"), server.port, server.host);
    return res;
  }

  #await(branch: string, what: string): Promise<SipResponse> {
    return new Promise<SipResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(branch);
        reject(new Error(`no final answer to ${what} within 10 s`));
      }, 10_000);
      this.#waiting.set(branch, (res) => {
        clearTimeout(timer);
        resolve(res);
      });
    });
  }

  close(): void {
    this.#socket.close();
  }
}

export function newCallId(): string {
  return `${randomBytes(10).toString("hex")}@raw-client`;
}

// The simulator's deposit side: answers an INVITE (RFC 3261 §13.3, SDP offer/answer RFC 3264 with
// G.711), records the caller's RTP (RFC 3550, PCMU/PCMA per RFC 3551) to 16-bit PCM, and keeps
// what a test checks: the Diversion header (RFC 5806), the recording, when its first audio came.

import { createSocket, type Socket } from "node:dgram";
import { performance } from "node:perf_hooks";
import { decodeAlaw, decodeUlaw } from "../../../src/media/g711.ts";
import { isRtpParseError, parseRtp } from "../../../src/protocols/rtp/packet.ts";
import { answerOffer, formatSdp, parseSdp } from "../../../src/protocols/sdp/index.ts";
import type { DialogRegistry } from "../../../src/protocols/sip/dialog/registry.ts";
import type { IncomingRequest, SipEndpoint } from "../../../src/protocols/sip/endpoint.ts";
import { reasonPhrase } from "../../../src/protocols/sip/transaction/reasons.ts";
import { InviteServerSession } from "../../../src/protocols/sip/usage/invite-server.ts";

export interface SimDeposit {
  requestUri: string;
  from: string;
  to: string;
  /** The Diversion header as received, if any. */
  diversion?: string;
  /** performance.now() when the first G.711 packet arrived. */
  firstAudioAt?: number;
  packets: number;
  /** Resolves when the caller hung up (or the call failed), with the whole recording. */
  done: Promise<Int16Array>;
  /** The recording so far, in order of RTP sequence number. */
  pcm(): Int16Array;
}

export interface SimDepositOptions {
  host: string;
  contact: () => string;
  /** Answer INVITEs with this status instead (e.g. 486 to test a failing legacy leg). */
  refuseWith?: number;
}

export class SimDeposits {
  readonly deposits: SimDeposit[] = [];
  readonly #sockets = new Set<Socket>();
  #waiters: Array<() => void> = [];

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly dialogs: DialogRegistry,
    private readonly o: SimDepositOptions,
  ) {
    endpoint.onRequest((req) => void this.#onInvite(req), { methods: ["INVITE"] });
  }

  /** Resolves with the n-th deposit (0-based) once its INVITE has come. */
  async next(index: number, timeoutMs = 5000): Promise<SimDeposit> {
    const end = Date.now() + timeoutMs;
    while (this.deposits.length <= index) {
      if (Date.now() > end) throw new Error(`legacy-vm: no deposit #${index} in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.deposits[index]!;
  }

  close(): void {
    for (const s of this.#sockets) s.close();
    this.#sockets.clear();
  }

  async #onInvite(req: IncomingRequest): Promise<void> {
    const session = new InviteServerSession(req, {
      endpoint: this.endpoint,
      dialogs: this.dialogs,
      localContact: this.o.contact(),
    });
    const refuse = this.o.refuseWith;
    if (refuse) return session.reject({ status: refuse, reason: reasonPhrase(refuse) });
    const offer = parseSdp(req.message.body);
    if (!offer.ok) return session.reject({ status: 400, reason: "Bad SDP" });
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, this.o.host, resolve));
    this.#sockets.add(socket);
    const negotiated = answerOffer(offer.value, {
      address: this.o.host,
      port: socket.address().port,
      sessionId: Date.now(),
      sessionVersion: 1,
      codecs: ["PCMU", "PCMA"],
      telephoneEvent: true,
      ptime: 20,
    });
    if (!negotiated.ok) {
      socket.close();
      return session.reject({ status: 488, reason: "Not Acceptable Here" });
    }
    const chunks: Array<{ seq: number; pcm: Int16Array }> = [];
    let lastSeq = -1;
    let cycles = 0;
    const m = req.message;
    const deposit: SimDeposit = {
      requestUri: m.uri,
      from: m.headers.get("from") ?? "",
      to: m.headers.get("to") ?? "",
      packets: 0,
      done: session.ended.then(() => {
        socket.close();
        this.#sockets.delete(socket);
        return deposit.pcm();
      }),
      pcm: () => concat([...chunks].sort((a, b) => a.seq - b.seq).map((c) => c.pcm)),
    };
    const diversion = m.headers.get("diversion");
    if (diversion !== undefined) deposit.diversion = diversion;
    socket.on("message", (buf) => {
      const p = parseRtp(buf);
      if (isRtpParseError(p) || (p.payloadType !== 0 && p.payloadType !== 8)) return;
      // Extend the 16-bit sequence number so that ordering survives its wrap (RFC 3550 §A.1).
      if (lastSeq >= 0 && p.sequence < 0x1000 && lastSeq > 0xf000) cycles++;
      lastSeq = p.sequence;
      deposit.firstAudioAt ??= performance.now();
      deposit.packets++;
      const pcm = new Int16Array(p.payload.length);
      (p.payloadType === 0 ? decodeUlaw : decodeAlaw)(p.payload, pcm);
      chunks.push({ seq: cycles * 0x10000 + p.sequence, pcm });
    });
    this.deposits.push(deposit);
    for (const w of this.#waiters.splice(0)) w();
    session.ring();
    await session.accept(Buffer.from(formatSdp(negotiated.answer)));
  }
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

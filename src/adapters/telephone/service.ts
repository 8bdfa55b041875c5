// The telephone system (DESIGN §1.1): a SIP endpoint that answers calls to users' numbers with
// the voicemail deposit, calls to the access number with the mailbox, and places outbound calls
// that play audio. It knows calls, not users: lookups and storage come in through `deps`.

import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import type { Logger } from "pino";
import { RtpPortPool } from "../../protocols/rtp/port-pool.ts";
import { RtpSession } from "../../protocols/rtp/session.ts";
import {
  answerOffer,
  createOffer,
  formatSdp,
  type LocalAudio,
  parseAnswer,
  parseSdp,
} from "../../protocols/sdp/index.ts";
import { DialogRegistry } from "../../protocols/sip/dialog/registry.ts";
import type { Destination } from "../../protocols/sip/endpoint.ts";
import { type IncomingRequest, SipEndpoint } from "../../protocols/sip/endpoint.ts";
import { CallFailedError, placeCall } from "../../protocols/sip/usage/invite-client.ts";
import { InviteServerSession } from "../../protocols/sip/usage/invite-server.ts";
import type { CallParty } from "./call-leg.ts";
import { callPartyOf } from "./call-party.ts";
import { type DepositResult, type RecordingSink, runDeposit } from "./deposit.ts";
import { type MailboxStore, runMailbox } from "./mailbox.ts";
import type { Prompts } from "./prompts.ts";
import { fileRecordingSink } from "./recording-sink.ts";
import { SipCallLeg } from "./sip-leg.ts";
import { type DepositTranscriber, type TranscriptStream, transcriptOf } from "./transcript.ts";

export interface TelephoneOptions {
  listen: { host: string; port: number };
  /** Address put in SDP and Contact; the listen host unless that is a wildcard. */
  mediaAddress: string;
  rtpPorts: string;
  accessNumber?: string;
  voicemail: {
    maxMessageMs: number;
    silenceMs: number;
    minMessageMs: number;
    silenceLevel: number;
  };
  tmpDir: string;
}

/** A message the deposit recorded; the callee makes it durable (store, gateway) before returning. */
export interface DepositedMessage {
  userId: string;
  audio: Uint8Array;
  durationMs: number;
  party: CallParty;
  callId: string;
  receivedAt: Date;
  /** What the caller said, when a transcriber gave it in time. */
  transcript?: string;
  /** Problems that did not stop the deposit (a failed or late transcript). */
  warnings?: string[];
}

export interface TelephoneDeps {
  logger: Logger;
  prompts: Prompts;
  /** The user a dialled number reaches. */
  mailboxFor(number: string): Promise<string | undefined>;
  /** The user whose own phone is calling (trusted from registration), if any. */
  identifyCaller(req: IncomingRequest): Promise<string | undefined>;
  greetingFor(userId: string): Promise<Int16Array | undefined>;
  deposit(message: DepositedMessage): Promise<void>;
  mailbox: MailboxStore;
  /** Transcribes deposits while they are recorded; without it messages have no transcript. */
  transcriber?: DepositTranscriber;
}

export class TelephoneService {
  readonly endpoint: SipEndpoint;
  readonly dialogs: DialogRegistry;
  readonly #ports: RtpPortPool;
  readonly #calls = new Set<Promise<unknown>>();
  #contact = "";

  constructor(
    private readonly opts: TelephoneOptions,
    private readonly deps: TelephoneDeps,
  ) {
    this.endpoint = new SipEndpoint({
      udp: opts.listen,
      tcp: opts.listen,
      advertise: opts.mediaAddress,
      logger: deps.logger.child({ component: "sip" }),
      userAgent: "omnivox",
    });
    this.dialogs = new DialogRegistry(this.endpoint);
    this.#ports = new RtpPortPool({ range: opts.rtpPorts, host: opts.mediaAddress });
    this.endpoint.onRequest((req) => this.#track(this.#onInvite(req)), { methods: ["INVITE"] });
  }

  async start(): Promise<{ host: string; port: number }> {
    await mkdir(this.opts.tmpDir, { recursive: true });
    // UDP first: with port 0 the TCP listener then takes the same number when it is free.
    const bound = await this.endpoint.start();
    const udp = bound.udp ?? bound.tcp!;
    this.#contact = `sip:omnivox@${this.opts.mediaAddress}:${udp.port}`;
    return { host: udp.host, port: udp.port };
  }

  /** Stops taking calls, lets the calls under way end, closes the endpoint. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.#calls]);
    this.dialogs.close();
    await this.endpoint.stop();
  }

  get activeCalls(): number {
    return this.#calls.size;
  }

  #track(p: Promise<unknown>): void {
    const tracked = p
      .catch((err) => this.deps.logger.error({ err }, "call failed"))
      .finally(() => this.#calls.delete(tracked));
    this.#calls.add(tracked);
  }

  async #onInvite(req: IncomingRequest): Promise<void> {
    const log = this.deps.logger.child({ callId: req.message.headers.get("call-id") });
    const session = new InviteServerSession(req, {
      endpoint: this.endpoint,
      dialogs: this.dialogs,
      localContact: this.#contact,
    });
    const party = callPartyOf(req.message);
    const isAccess = this.opts.accessNumber !== undefined && party.dnis === this.opts.accessNumber;
    const callerUser = await this.deps.identifyCaller(req);
    const calledUser = isAccess
      ? undefined
      : await this.deps.mailboxFor(party.divertedFrom ?? party.dnis ?? "");
    // A user calling their own number from their own phone reaches their mailbox, not a deposit.
    const app: "mailbox" | "deposit" | undefined =
      isAccess || (callerUser && callerUser === calledUser)
        ? "mailbox"
        : calledUser
          ? "deposit"
          : undefined;
    if (!app) {
      log.info({ dnis: party.dnis }, "call for a number no user has");
      session.reject(404, "Not Found");
      return;
    }
    const offer = parseSdp(req.message.body);
    if (!offer.ok) {
      session.reject(400, "Bad Request (unreadable SDP)");
      return;
    }
    const lease = await this.#ports.allocate().catch(() => undefined);
    if (!lease) {
      session.reject(503, "Service Unavailable", [["Retry-After", "5"]]);
      return;
    }
    const negotiated = answerOffer(offer.value, this.#localAudio(lease.port));
    if (!negotiated.ok) {
      lease.release();
      session.reject(488, "Not Acceptable Here", [
        ["Warning", `304 omnivox "${negotiated.reason.replace(/"/g, "'")}"`],
      ]);
      return;
    }
    const media = negotiated.media;
    let leg: SipCallLeg | undefined;
    const rtp = new RtpSession({
      socket: lease.socket,
      remote: { address: media.remote.address, port: media.remote.port },
      payloadType: media.payloadType,
      ...(media.telephoneEventPt !== undefined ? { telephoneEventPt: media.telephoneEventPt } : {}),
      onDigit: (d) => leg?.digit(d),
      onError: (err) => log.debug({ err }, "rtp"),
    });
    const callId = randomUUID();
    leg = new SipCallLeg(callId, party, session, rtp);
    session.ring();
    const acked = await session.accept(Buffer.from(formatSdp(negotiated.answer)));
    if (!acked) {
      rtp.close();
      return;
    }
    log.info({ app, ani: party.ani, dnis: party.dnis }, "call answered");
    try {
      if (app === "mailbox") {
        await runMailbox(leg, {
          prompts: this.deps.prompts,
          store: this.deps.mailbox,
          ...(callerUser ? { userId: callerUser } : {}),
          findMailbox: (n) => this.deps.mailboxFor(n),
        });
      } else {
        await this.#deposit(leg, calledUser!, callId, log);
      }
    } finally {
      await leg.hangup();
    }
  }

  /**
   * Places a call to `uri` and plays `pcm` when it is answered, then hangs up (issue 3 §6, "play
   * on phone"). Rejects with CallFailedError when the call is not answered.
   */
  async playOnPhone(opts: {
    uri: string;
    dest: Destination;
    from: { uri: string; displayName?: string };
    pcm: Int16Array;
    answerTimeoutMs?: number;
    credentials?: { username: string; password: string };
  }): Promise<{ playedMs: number; packetsReceived: number }> {
    const lease = await this.#ports.allocate();
    const offer = createOffer(this.#localAudio(lease.port));
    let session: Awaited<ReturnType<typeof placeCall>>;
    try {
      session = await placeCall({
        endpoint: this.endpoint,
        dialogs: this.dialogs,
        uri: opts.uri,
        dest: opts.dest,
        from: opts.from,
        localContact: this.#contact,
        offer: Buffer.from(formatSdp(offer)),
        answerTimeoutMs: opts.answerTimeoutMs ?? 30_000,
        ...(opts.credentials ? { credentials: opts.credentials } : {}),
      });
    } catch (err) {
      lease.release();
      throw err;
    }
    const answer = parseSdp(session.answer);
    const media = answer.ok ? parseAnswer(answer.value, offer) : answer;
    if (!media.ok) {
      lease.release();
      await session.hangup();
      throw new CallFailedError(488, `unusable SDP answer: ${media.error}`);
    }
    const rtp = new RtpSession({
      socket: lease.socket,
      remote: { address: media.value.remote.address, port: media.value.remote.port },
      payloadType: media.value.payloadType,
    });
    const started = Date.now();
    try {
      await Promise.race([rtp.playPcm(opts.pcm), session.ended]);
    } finally {
      await session.hangup();
      rtp.close();
    }
    return { playedMs: Date.now() - started, packetsReceived: rtp.stats.datagrams };
  }

  /** What we offer or answer for a call's audio: G.711 both laws, RFC 4733 events, 20 ms. */
  #localAudio(port: number): LocalAudio {
    return {
      address: this.opts.mediaAddress,
      port,
      sessionId: Date.now(),
      sessionVersion: 1,
      username: "omnivox",
      codecs: ["PCMU", "PCMA"],
      telephoneEvent: true,
      ptime: 20,
    };
  }

  async #deposit(leg: SipCallLeg, userId: string, callId: string, log: Logger): Promise<void> {
    const receivedAt = new Date();
    let audio: Uint8Array | undefined;
    // The transcriber hears exactly what is recorded, frame by frame, while the caller speaks.
    const stt = this.deps.transcriber;
    let stream: TranscriptStream | undefined;
    const openSink = async (): Promise<RecordingSink> => {
      const file = await fileRecordingSink(this.opts.tmpDir, callId, async (data) => {
        audio = data;
      });
      if (!stt) return file;
      try {
        stream = stt.start();
      } catch (err) {
        log.warn({ err }, "cannot start the transcription");
        return file;
      }
      const s = stream;
      return {
        write: (pcm) => {
          file.write(pcm);
          s.write(pcm);
        },
        finish: () => file.finish(),
        abort: async () => {
          s.abort();
          await file.abort();
        },
      };
    };
    const greeting = (await this.deps.greetingFor(userId)) ?? this.deps.prompts.get("greeting");
    const vm = this.opts.voicemail;
    const result: DepositResult = await runDeposit(
      leg,
      openSink,
      {
        greeting,
        beep: this.deps.prompts.beep(),
        maxMs: vm.maxMessageMs,
        silenceMs: vm.silenceMs,
        minMs: vm.minMessageMs,
        silenceLevel: vm.silenceLevel,
      },
      async (r) => {
        const heard = stream && stt ? await transcriptOf(stream, stt, userId, callId, log) : {};
        await this.deps.deposit({
          userId,
          audio: audio!,
          durationMs: r.durationMs,
          party: leg.party,
          callId,
          receivedAt,
          ...heard,
        });
      },
    );
    log.info(
      { kept: result.kept, durationMs: result.durationMs, endedBy: result.endedBy },
      "deposit finished",
    );
    if (result.kept && result.endedBy !== "hangup")
      await leg.play(this.deps.prompts.get("goodbye"));
  }
}

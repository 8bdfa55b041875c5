// The telephone system (DESIGN §1.1): a SIP endpoint that answers calls to users' numbers with
// the voicemail deposit, calls to the access number with the mailbox, and places outbound calls
// that play audio. It knows calls, not users: lookups and storage come in through `deps`.

import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import type { Logger } from "pino";
import type { LiveDeposits } from "../../core/ports.ts";
import type { FrameListener } from "../../protocols/rtp/jitter.ts";
import { RtpPortPool } from "../../protocols/rtp/port-pool.ts";
import { RtpSession } from "../../protocols/rtp/session.ts";
import { answerOffer, formatSdp, type LocalAudio, parseSdp } from "../../protocols/sdp/index.ts";
import { DialogRegistry } from "../../protocols/sip/dialog/registry.ts";
import {
  type Destination,
  type IncomingRequest,
  SipEndpoint,
  type TlsListenOptions,
} from "../../protocols/sip/endpoint.ts";
import { InviteServerSession } from "../../protocols/sip/usage/invite-server.ts";
import { callPartyOf } from "./call-party.ts";
import { depositCall } from "./deposit-call.ts";
import type { CallWaiting } from "./icw.ts";
import { type MailboxStore, runMailbox } from "./mailbox.ts";
import { type DialContext, openCall } from "./outbound-call.ts";
import type { Prompts } from "./prompts.ts";
import { SipCallLeg } from "./sip-leg.ts";
import { type DialOptions, dialLeg, type OutboundLeg } from "./takeover.ts";
import type { DepositTranscriber } from "./transcript.ts";

export interface TelephoneOptions {
  listen: { host: string; port: number };
  /** SIP over TLS on its own listener, with its certificate. */
  tls?: TlsListenOptions;
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

import type { DepositedMessage } from "./deposit-call.ts";

export type { DepositedMessage };

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
  /** Live copies of each deposit into the user's legacy boxes (dual deposit, issue 5). */
  liveDeposits?: LiveDeposits;
  /** Whether the user's route for voicemail wants a transcript (route option `transcribe`). */
  transcribes?(userId: string): Promise<boolean>;
  /** Internet call waiting: offers deposit calls to a user who is online (adapters/web/calls.ts). */
  icw?: CallWaiting;
}

export interface PlayOnPhoneOptions {
  uri: string;
  dest: Destination;
  from: { uri: string; displayName?: string };
  pcm: Int16Array;
  answerTimeoutMs?: number;
  credentials?: { username: string; password: string };
  /** Extra INVITE headers, e.g. Diversion (RFC 5806) for a deposit into a legacy box. */
  headers?: Array<[string, string]>;
  /** Before the audio: a pause, then RFC 4733 digits (e.g. "#" to skip a box's greeting). */
  before?: { pauseMs?: number; digits?: string };
  /** Receives what the callee sends back (a recorder; a test checking an echo). */
  onFrame?: FrameListener;
}

export interface PlayOnPhoneResult {
  playedMs: number;
  packetsReceived: number;
  /** The call's SIP Call-ID: the delivery's native id. */
  callId: string;
}

export class TelephoneService {
  readonly endpoint: SipEndpoint;
  readonly dialogs: DialogRegistry;
  readonly #ports: RtpPortPool;
  readonly #calls = new Set<Promise<unknown>>();
  #tls: { host: string; port: number } | undefined;

  constructor(
    private readonly opts: TelephoneOptions,
    private readonly deps: TelephoneDeps,
  ) {
    this.endpoint = new SipEndpoint({
      udp: opts.listen,
      tcp: opts.listen,
      ...(opts.tls ? { tls: opts.tls } : {}),
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
    // With port 0, UDP and TCP share one port (SipEndpoint.start); TLS has its own.
    const bound = await this.endpoint.start();
    const udp = bound.udp ?? bound.tcp!;
    this.#tls = bound.tls;
    return { host: udp.host, port: udp.port };
  }

  /** The TLS listener's address once started, when TLS is configured. */
  get tlsAddress(): { host: string; port: number } | undefined {
    return this.#tls;
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
      // The transport and port the call came in on, so its ACK and BYE come back that way.
      localContact: this.endpoint.contactForRequest(req),
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
    // Internet call waiting: a user who is online decides what happens before we answer.
    const icw =
      app === "deposit"
        ? await this.deps.icw
            ?.offer({ callId, userId: calledUser!, party, ended: session.ended })
            .catch((err: unknown) => {
              log.warn({ err }, "icw: cannot offer the call");
              return undefined;
            })
        : undefined;
    const choice = await icw?.decision;
    if (choice?.action === "forward") {
      session.reject(302, "Moved Temporarily", [["Contact", `<${choice.to}>`]]);
      rtp.close();
      return;
    }
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
        const recorded = icw ? icw.attach(leg, (pcm) => rtp.sendFrame(pcm)) : leg;
        await depositCall(
          { ...this.deps, ...this.opts },
          {
            leg: recorded,
            userId: calledUser!,
            callId,
            log,
            ...(icw ? { icw } : {}),
            ...(choice?.speech ? { reply: choice.speech } : {}),
          },
        );
      }
    } finally {
      await leg.hangup();
    }
  }

  /**
   * Places a call to `uri` and plays `pcm` when it is answered, then hangs up (issue 3 §6, "play
   * on phone"). Rejects with CallFailedError when the call is not answered.
   */
  async playOnPhone(opts: PlayOnPhoneOptions): Promise<PlayOnPhoneResult> {
    const { session, rtp, telephoneEventPt } = await openCall(this.#dialContext(), opts);
    const started = Date.now();
    const play = async () => {
      const { pauseMs = 0, digits = "" } = opts.before ?? {};
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      // Without a negotiated telephone-event the digits cannot be sent; the audio still is.
      if (telephoneEventPt !== undefined) for (const d of digits) await rtp.sendDigit(d);
      await rtp.playPcm(opts.pcm);
    };
    try {
      await Promise.race([play(), session.ended]);
    } finally {
      await session.hangup();
      rtp.close();
    }
    return {
      playedMs: Date.now() - started,
      packetsReceived: rtp.stats.datagrams,
      callId: session.dialog.state.callId,
    };
  }

  /** Places a call and opens its audio (ICW takeover); CallFailedError when not answered. */
  dial(opts: DialOptions): Promise<OutboundLeg> {
    return dialLeg(this.#dialContext(), opts);
  }

  #dialContext(): DialContext {
    return {
      endpoint: this.endpoint,
      dialogs: this.dialogs,
      ports: this.#ports,
      localContact: (dest, uri) =>
        this.endpoint.contactFor(dest.transport, { secure: uri.startsWith("sips:") }),
      localAudio: (port: number) => this.#localAudio(port),
    };
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
}

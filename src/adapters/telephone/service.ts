// The telephone system (docs/architecture.md "Systems and conversions"): a SIP endpoint that
// answers calls to users' numbers with the voicemail deposit, calls to the access number with the
// mailbox, and places outbound calls that play audio. It knows calls, not users: lookups and
// storage come in through `deps`.

import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import type { Logger } from "pino";
import type { CallWaiting } from "../../core/call-waiting.ts";
import type { DepositedMessage, GreetingKind, MailboxStore } from "../../core/mailbox.ts";
import type { LiveDeposits } from "../../core/ports.ts";
import { sourceKey } from "../../core/source-address.ts";
import type { CallParty, OutboundLeg, PlayOnPhoneResult } from "../../core/telephony.ts";
import type { FrameListener } from "../../protocols/rtp/jitter.ts";
import { RtpPortPool } from "../../protocols/rtp/port-pool.ts";
import { RtpSession } from "../../protocols/rtp/session.ts";
import { SrtpSession } from "../../protocols/rtp/srtp.ts";
import {
  answerOffer,
  formatSdp,
  type LocalAudio,
  parseSdp,
  type SrtpMode,
} from "../../protocols/sdp/index.ts";
import { DialogRegistry } from "../../protocols/sip/dialog/registry.ts";
import {
  type Destination,
  type EndpointLimits,
  type IncomingRequest,
  SipEndpoint,
  type TlsListenOptions,
} from "../../protocols/sip/endpoint.ts";
import { type CallerCheck, isTrustedSource } from "../../protocols/sip/usage/caller-identity.ts";
import type { ForkControl } from "../../protocols/sip/usage/fork.ts";
import { InviteServerSession } from "../../protocols/sip/usage/invite-server.ts";
import { retargetOf } from "../../protocols/sip/usage/retarget.ts";
import { callPartyOf } from "./call-party.ts";
import { depositCall } from "./deposit-call.ts";
import { keepMediaAlive, mayReceive, maySend } from "./liveness.ts";
import { type PinGuard, runMailbox } from "./mailbox.ts";
import { type DialContext, openCall } from "./outbound-call.ts";
import type { Prompts } from "./prompts.ts";
import { SipCallLeg } from "./sip-leg.ts";
import { type DialOptions, dialLeg } from "./takeover.ts";
import type { DepositTranscriber } from "./transcript.ts";

export interface TelephoneOptions {
  listen: { host: string; port: number };
  /** SIP over TLS on its own listener, with its certificate. */
  tls?: TlsListenOptions;
  /** Address put in SDP and Contact; the listen host unless that is a wildcard. */
  mediaAddress: string;
  rtpPorts: string;
  /** SRTP with SDES keys (README "Telephone: SRTP"); `off` when not given. */
  srtp?: SrtpMode;
  /** An answered call with no RTP at all for this long is ended (sip.rtpTimeoutMs). */
  rtpTimeoutMs?: number;
  accessNumber?: string;
  /** Proxies whose P-Asserted-Identity is believed (RFC 3325 trust domain; `sip.trustedProxies`). */
  trustedProxies?: readonly string[];
  /** The endpoint's transaction, per-source and connection limits (`sip.limits`). */
  limits?: EndpointLimits;
  /** Calls one source (not a trusted proxy) may have ringing or answered at once; default none. */
  callsPerSource?: number;
  voicemail: {
    maxMessageMs: number;
    silenceMs: number;
    minMessageMs: number;
    silenceLevel: number;
  };
  tmpDir: string;
}

export interface TelephoneDeps {
  logger: Logger;
  prompts: Prompts;
  /** The user a dialled number reaches. */
  mailboxFor(number: string): Promise<string | undefined>;
  /**
   * Whether the caller proved to be `calledUser` (digest, or a PAI when `trusted`); "answered"
   * when it sent the digest challenge instead (README "Who is calling").
   */
  identifyCaller(req: IncomingRequest, calledUser: string, trusted: boolean): Promise<CallerCheck>;
  greetingFor(userId: string, kind?: GreetingKind): Promise<Int16Array | undefined>;
  deposit(message: DepositedMessage): Promise<void>;
  /**
   * Whether a new message could be stored now (docs/security.md "Disk full"); a deposit call is
   * refused with 503 before it is answered when not, so the PBX can send the caller elsewhere.
   */
  canRecord?(): boolean;
  /** A recording or its store write ran out of room (deposit-call.ts). */
  storageFull?(err: unknown): void;
  /** Holds a message that found no room after the caller hung up (pending-deposits.ts). */
  keepPending?(message: DepositedMessage): boolean;
  mailbox: MailboxStore;
  /** Wrong PINs across calls lock the mailbox (docs/security.md "Voicemail PINs"). */
  pinGuard?: PinGuard;
  /** Transcribes deposits while they are recorded; without it messages have no transcript. */
  transcriber?: DepositTranscriber;
  /** Live copies of each deposit into the user's legacy boxes (README "Dual deposit into legacy boxes"). */
  liveDeposits?: LiveDeposits;
  /** Whether the user's route for voicemail wants a transcript (route option `transcribe`). */
  transcribes?(userId: string): Promise<boolean>;
  /** Internet call waiting (adapters/icw): offers deposit calls to a user who is online. */
  icw?: CallWaiting;
}

export interface PlayOnPhoneOptions {
  uri: string;
  dest: Destination;
  /** A preloaded route set, e.g. the Path of the phone's registration (RFC 3327 §5.3). */
  routes?: readonly string[];
  from: { uri: string; displayName?: string };
  pcm: Int16Array;
  answerTimeoutMs?: number;
  credentials?: { username: string; password: string };
  /** Further phones rung at the same time as `uri`; the first to answer hears the audio. */
  forks?: Array<{ uri: string; dest: Destination }>;
  /** Extra INVITE headers, e.g. Diversion (RFC 5806) for a deposit into a legacy box. */
  headers?: Array<[string, string]>;
  /** Before the audio: a pause, then RFC 4733 digits (e.g. "#" to skip a box's greeting). */
  before?: { pauseMs?: number; digits?: string };
  /** Receives what the callee sends back (a recorder; a test checking an echo). */
  onFrame?: FrameListener;
  /** Part of a wider fork (a cluster's phones on several nodes): called off, or admitted. */
  fork?: ForkControl;
}

/** What a call is for: the application, the box (deposit) and the known caller (mailbox). */
interface Routed {
  party: CallParty;
  app?: "mailbox" | "deposit";
  calledUser?: string;
  callerUser?: string;
}

export class TelephoneService {
  readonly endpoint: SipEndpoint;
  readonly dialogs: DialogRegistry;
  readonly #ports: RtpPortPool;
  readonly #calls = new Set<Promise<unknown>>();
  #callsRefused = 0;
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
      ...(opts.limits ? { limits: opts.limits } : {}),
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
    // New calls and OPTIONS pings get 503 from here on, so a proxy moves on (docs/cluster.md).
    this.endpoint.drain();
    await Promise.allSettled([...this.#calls]);
    this.dialogs.close();
    await this.endpoint.stop();
  }

  get activeCalls(): number {
    return this.#calls.size;
  }

  /** RTP ports leased now (calls in and out). */
  get rtpPortsInUse(): number {
    return this.#ports.inUse;
  }

  /** Calls refused because their source had callsPerSource calls already. */
  get callsRefused(): number {
    return this.#callsRefused;
  }

  #track(p: Promise<unknown>): void {
    const tracked = p
      .catch((err) => this.deps.logger.error({ err }, "call failed"))
      .finally(() => this.#calls.delete(tracked));
    this.#calls.add(tracked);
  }

  async #onInvite(req: IncomingRequest): Promise<void> {
    const log = this.deps.logger.child({ callId: req.message.headers.get("call-id") });
    const trusted = isTrustedSource(req.source.host, this.opts.trustedProxies ?? []);
    const session = () =>
      new InviteServerSession(req, {
        endpoint: this.endpoint,
        dialogs: this.dialogs,
        // The transport and port the call came in on, so its ACK and BYE come back that way.
        localContact: this.endpoint.contactForRequest(req),
      });
    let routed: Routed | "answered";
    try {
      routed = await this.#route(req, trusted);
    } catch (err) {
      // The user store failed: ours to fix, so the caller is asked to try again later.
      log.error({ err }, "cannot route the call");
      session().reject({
        status: 500,
        reason: "Server Internal Error",
        headers: [["Retry-After", "5"]],
      });
      return;
    }
    if (routed === "answered") return;
    const { party, app, calledUser, callerUser } = routed;
    const invite = session();
    if (invite.state === "terminated") return; // refused already (422 Session Interval Too Small)
    if (!app) {
      log.info({ dnis: party.dnis }, "call for a number no user has");
      invite.reject({ status: 404, reason: "Not Found" });
      return;
    }
    if (app === "deposit" && this.deps.canRecord?.() === false) {
      log.warn({ dnis: party.dnis }, "deposit refused: storage cannot be written");
      invite.reject({
        status: 503,
        reason: "Service Unavailable",
        headers: [["Retry-After", "60"]],
      });
      return;
    }
    const offer = parseSdp(req.message.body);
    if (!offer.ok) {
      invite.reject({ status: 400, reason: "Bad Request (unreadable SDP)" });
      return;
    }
    // One source holds at most callsPerSource ports, so a flood cannot take the whole pool.
    const exempt = trusted || this.endpoint.exemptFromLimits(req.source.host);
    const owner = exempt ? undefined : sourceKey(req.source.host);
    const cap = this.opts.callsPerSource;
    if (owner !== undefined && cap !== undefined && this.#ports.heldBy(owner) >= cap) {
      this.#callsRefused++;
      invite.reject({ status: 486, reason: "Busy Here", headers: [["Retry-After", "5"]] });
      return;
    }
    const lease = await this.#ports.allocate(undefined, owner).catch(() => undefined);
    if (!lease) {
      invite.reject({
        status: 503,
        reason: "Service Unavailable",
        headers: [["Retry-After", "5"]],
      });
      return;
    }
    const negotiated = answerOffer(offer.value, this.#localAudio(lease.port));
    if (!negotiated.ok) {
      lease.release();
      invite.reject({
        status: 488,
        reason: "Not Acceptable Here",
        headers: [["Warning", `304 omnivox "${negotiated.reason.replace(/"/g, "'")}"`]],
      });
      return;
    }
    const media = negotiated.media;
    let leg: SipCallLeg | undefined;
    const rtp = new RtpSession({
      socket: lease.socket,
      remote: { address: media.remote.address, port: media.remote.port },
      payloadType: media.payloadType,
      ...(media.telephoneEventPt !== undefined ? { telephoneEventPt: media.telephoneEventPt } : {}),
      ...(media.comfortNoisePt !== undefined ? { comfortNoisePt: media.comfortNoisePt } : {}),
      onDigit: (d) => leg?.digit(d),
      onError: (err) => log.debug({ err }, "rtp"),
      ...(media.srtp ? { srtp: new SrtpSession(media.srtp) } : {}),
    });
    const callId = randomUUID();
    leg = new SipCallLeg(callId, party, invite, rtp);
    invite.ring();
    // Internet call waiting: a user who is online decides what happens before we answer.
    const icw =
      app === "deposit"
        ? await this.deps.icw
            ?.offer({ callId, userId: calledUser!, party, ended: invite.ended })
            .catch((err: unknown) => {
              log.warn({ err }, "icw: cannot offer the call");
              return undefined;
            })
        : undefined;
    const choice = await icw?.decision;
    if (choice?.action === "forward") {
      invite.reject({
        status: 302,
        reason: "Moved Temporarily",
        headers: [["Contact", `<${choice.to}>`]],
      });
      rtp.close();
      return;
    }
    const acked = await invite.accept(Buffer.from(formatSdp(negotiated.answer)));
    if (!acked) {
      rtp.close();
      return;
    }
    log.info(
      { app, ani: party.ani, dnis: party.dnis, srtp: media.srtp?.suite ?? "off" },
      "call answered",
    );
    const answered = leg;
    keepMediaAlive(rtp, {
      timeoutMs: this.#rtpTimeoutMs,
      log,
      send: maySend(media.direction),
      receives: mayReceive(media.direction),
      listens: true,
      hangup: () => answered.hangup(),
    });
    try {
      if (app === "mailbox") {
        await runMailbox(leg, {
          prompts: this.deps.prompts,
          store: this.deps.mailbox,
          ...(callerUser ? { userId: callerUser } : {}),
          findMailbox: (n) => this.deps.mailboxFor(n),
          ...(this.deps.pinGuard ? { pinGuard: this.deps.pinGuard } : {}),
          // Behind a trusted proxy every call has the proxy's address: the caller's number
          // (asserted by the proxy) tells callers apart there.
          caller: {
            source: trusted && party.ani ? `tel:${party.ani}` : req.source.host,
            ...(party.ani ? { caller: party.ani } : {}),
          },
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
      const srtp = rtp.stats.srtp;
      // Dropped SRTP is a wrong key, a re-key we did not follow, or someone injecting packets.
      if (srtp && srtp.authFailures + srtp.replays + srtp.malformed > 0) {
        log.warn({ srtp }, "SRTP packets dropped during the call");
      }
    }
  }

  /** Which application answers, for which box; "answered" when the caller was challenged. */
  async #route(req: IncomingRequest, trusted: boolean): Promise<Routed | "answered"> {
    const { party, calledUser, isAccess } = await this.#calledParty(req, trusted);
    let app: "mailbox" | "deposit" | undefined = isAccess ? "mailbox" : undefined;
    let callerUser: string | undefined;
    // On the access number the caller's number only saves keying the mailbox number: the PIN
    // is asked all the same, so an unproved From is good enough for that.
    if (isAccess && party.ani) callerUser = await this.deps.mailboxFor(party.ani);
    if (calledUser) {
      // A user calling their own number reaches their mailbox, when they proved who they are.
      const caller = await this.deps.identifyCaller(req, calledUser, trusted);
      if (caller === "answered") return "answered";
      app = caller === "owner" ? "mailbox" : "deposit";
      if (caller === "owner") callerUser = calledUser;
    }
    return {
      party,
      ...(app ? { app } : {}),
      ...(calledUser ? { calledUser } : {}),
      ...(callerUser ? { callerUser } : {}),
    };
  }

  /**
   * Whose box a call is for (README "Forwarded calls"): the first retargeting candidate that is a
   * user's number, else the access number's mailbox, else the Request-URI user. The party's
   * dnis is the number the caller dialled, not the voicemail pilot.
   */
  async #calledParty(
    req: IncomingRequest,
    trusted: boolean,
  ): Promise<{ party: CallParty; calledUser?: string; isAccess: boolean }> {
    const party = callPartyOf(req.message, { assertedIdentity: trusted });
    const retarget = retargetOf(req.message);
    for (const box of retarget.candidates) {
      const user = await this.deps.mailboxFor(box);
      if (!user) continue;
      party.dnis = retarget.dialled ?? box;
      party.divertedFrom = box;
      if (retarget.cause !== undefined) party.cause = retarget.cause;
      return { party, calledUser: user, isAccess: false };
    }
    const reached = retarget.requestUser ?? party.dnis;
    if (this.opts.accessNumber !== undefined && reached === this.opts.accessNumber)
      return { party, isAccess: true };
    const user = await this.deps.mailboxFor(reached ?? "");
    if (retarget.cause !== undefined) party.cause = retarget.cause;
    return user ? { party, calledUser: user, isAccess: false } : { party, isAccess: false };
  }

  /**
   * Places a call to `uri` and plays `pcm` when it is answered, then hangs up ("play
   * on phone"). Rejects with CallFailedError when the call is not answered.
   */
  async playOnPhone(opts: PlayOnPhoneOptions): Promise<PlayOnPhoneResult> {
    const { session, rtp, telephoneEventPt } = await openCall(this.#dialContext(), opts);
    keepMediaAlive(rtp, {
      timeoutMs: this.#rtpTimeoutMs,
      log: this.deps.logger.child({ callId: session.dialog.state.callId }),
      send: true,
      listens: false,
      hangup: () => session.hangup(),
    });
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

  /**
   * Places a call and opens its audio (ICW takeover); CallFailedError when not answered. With
   * `liveness` false (a live copy into a legacy box, fed in bursts after each pause) the leg
   * neither fills pauses with its own silence nor ends on the RTP timeout.
   */
  dial(opts: DialOptions, liveness = true): Promise<OutboundLeg> {
    const media = liveness
      ? { timeoutMs: this.#rtpTimeoutMs, log: this.deps.logger.child({ leg: "outbound" }) }
      : undefined;
    return dialLeg(this.#dialContext(), opts, media);
  }

  get #rtpTimeoutMs(): number {
    return this.opts.rtpTimeoutMs ?? 30_000;
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
      comfortNoise: true,
      ptime: 20,
      srtp: this.opts.srtp ?? "off",
    };
  }
}

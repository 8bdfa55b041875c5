// The telephone system as a delivery target (DESIGN §1.1 pstn/cellular "out"): a voice rendition
// sent to a tel: or sip: address is played by placing a SIP call (RFC 3261); an optional Diversion
// header (RFC 5806) names the station a replay is deposited for in a legacy voicemail box.

import type { Logger } from "pino";
import { type Address, formatAddress } from "../../core/address.ts";
import { type Communication, isText } from "../../core/communication.ts";
import { DeliveryError, ValidationError } from "../../core/errors.ts";
import type { Adapter, DeliveryTarget } from "../../core/ports.ts";
import type { Rendition } from "../../core/rendition.ts";
import type { Destination } from "../../protocols/sip/endpoint.ts";
import { parseUri } from "../../protocols/sip/message/index.ts";
import { CallFailedError } from "../../protocols/sip/usage/invite-client.ts";
import type { PlayOnPhoneOptions, PlayOnPhoneResult } from "./service.ts";

/** Where one call goes: the Request-URI and the next hop. */
export interface CallRoute {
  uri: string;
  dest: Destination;
}

/** RFC 5806 §4 diversion-reason values a voicemail box cares about. */
export type DiversionReason =
  | "unknown"
  | "user-busy"
  | "no-answer"
  | "unavailable"
  | "unconditional";

export interface Diversion {
  /** The station (mailbox number) the call is diverted from: the legacy box files it there. */
  station: string;
  /** Host of the diverting URI, usually the legacy system's SIP domain. */
  host: string;
  reason?: DiversionReason;
}

const STATION = /^\+?[0-9A-Za-z*#._-]{1,32}$/;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;

/** `<sip:2001@pbx.example>;reason=no-answer;counter=1` (RFC 5806 §3). */
export function diversionHeader(d: Diversion): string {
  if (!STATION.test(d.station))
    throw new ValidationError("diversion.station", `"${d.station}" is not a station number`);
  if (!HOST.test(d.host)) throw new ValidationError("diversion.host", `"${d.host}" is not a host`);
  return `<sip:${d.station}@${d.host}>;reason=${d.reason ?? "no-answer"};counter=1`;
}

export interface CallAndPlay {
  route: CallRoute;
  /** 8 kHz mono speech. */
  pcm: Int16Array;
  from: { uri: string; displayName?: string };
  diversion?: Diversion;
  answerTimeoutMs?: number;
  before?: PlayOnPhoneOptions["before"];
  onFrame?: PlayOnPhoneOptions["onFrame"];
}

export interface CallPlayer {
  playOnPhone(opts: PlayOnPhoneOptions): Promise<PlayOnPhoneResult>;
}

/** Final responses that will not change by calling again (RFC 3261 §21). */
const PERMANENT = new Set([400, 401, 403, 404, 407, 410, 416, 420, 484, 485, 488, 604, 606]);

/**
 * Places one call and plays `pcm` (the function the legacy-voicemail deposit uses with
 * `diversion`). Not answered, busy, timed out or unreachable: a retryable DeliveryError, so the
 * outbox backs off; a callee that can never take it: a permanent one.
 */
export async function callAndPlay(
  player: CallPlayer,
  req: CallAndPlay,
): Promise<PlayOnPhoneResult> {
  const headers: Array<[string, string]> = req.diversion
    ? [["Diversion", diversionHeader(req.diversion)]]
    : [];
  try {
    return await player.playOnPhone({
      uri: req.route.uri,
      dest: req.route.dest,
      from: req.from,
      pcm: req.pcm,
      headers,
      ...(req.answerTimeoutMs !== undefined ? { answerTimeoutMs: req.answerTimeoutMs } : {}),
      ...(req.before ? { before: req.before } : {}),
      ...(req.onFrame ? { onFrame: req.onFrame } : {}),
    });
  } catch (err) {
    if (err instanceof CallFailedError) {
      const permanent = PERMANENT.has(err.status);
      const advice = permanent ? "the callee cannot take it" : "will try again later";
      throw new DeliveryError(
        `call to ${req.route.uri}: ${err.status} ${err.reason}; ${advice}`,
        permanent,
        { cause: err },
      );
    }
    // Timer B (nobody answers at all), a refused TCP connection, no free RTP port: all may pass.
    const reason = err instanceof Error ? err.message : String(err);
    throw new DeliveryError(
      `call to ${req.route.uri} failed: ${reason}; will try again later`,
      false,
      {
        cause: err,
      },
    );
  }
}

/**
 * The next hop named by a sip: or sips: URI (no DNS SRV, RFC 3263: host and port as written;
 * sips: and `;transport=tls` go over TLS, default port 5061).
 */
export function routeOfSipUri(uri: string): CallRoute | undefined {
  const parsed = parseUri(uri);
  if ((parsed?.scheme !== "sip" && parsed?.scheme !== "sips") || !parsed.host) return undefined;
  const param = parsed.params.get("transport")?.toLowerCase() ?? "udp";
  const transport = parsed.scheme === "sips" || param === "tls" ? "tls" : param;
  if (transport !== "udp" && transport !== "tcp" && transport !== "tls") return undefined;
  const host = parsed.host.replace(/^\[|\]$/g, "");
  const port = parsed.port ?? (transport === "tls" ? 5061 : 5060);
  return { uri, dest: { host, port, transport } };
}

export interface PhoneDirectory {
  /** The user a number belongs to. */
  ownerOf(number: string): Promise<string | undefined>;
  /** The user's registered phones (RFC 3261 §10 bindings), each over the flow it registered on. */
  phonesOf(userId: string): CallRoute[];
  /** Our own SIP listener: a contact pointing there would call us back in a loop. */
  self?: { host: string; port: number };
}

/**
 * Locates call targets: a tel: number reaches the phones its owner has registered (there is no
 * PSTN trunk), a sip: URI its host. A number no user has can never be reached: permanent.
 */
export function phoneLocator(dir: PhoneDirectory): (address: Address) => Promise<CallRoute[]> {
  const notSelf = (r: CallRoute | undefined): r is CallRoute =>
    r !== undefined && !(r.dest.host === dir.self?.host && r.dest.port === dir.self.port);
  return async (address) => {
    if (address.scheme === "sip") {
      const route = routeOfSipUri(address.uri);
      if (!notSelf(route))
        throw new DeliveryError(
          `${address.uri}: not a sip: URI over UDP, TCP or TLS to call`,
          true,
        );
      return [route];
    }
    if (address.scheme !== "tel") throw new DeliveryError(`${address.scheme}: not a phone`, true);
    const owner = await dir.ownerOf(address.number);
    if (!owner) {
      throw new DeliveryError(
        `tel:${address.number} is no user's number and omnivox has no PSTN trunk to call it`,
        true,
      );
    }
    return dir.phonesOf(owner).filter(notSelf);
  };
}

/** Control characters in a sender's name would break the From header; long ones are cut. */
function safeName(name: string | undefined): string | undefined {
  const clean = name
    ?.replace(/[\p{Cc}"\\]/gu, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 64);
  return clean || undefined;
}

/** Who the phone shows as calling: the original caller or sender, under our domain. */
export function callerIdentity(
  c: Communication,
  domain: string,
): { uri: string; displayName?: string } {
  let user = "omnivox";
  let name: string | undefined;
  if (c.direction === "outbound") {
    user = c.userId;
  } else if (!isText(c)) {
    if (c.ani && STATION.test(c.ani)) user = c.ani;
    name = c.callerName;
  } else if (c.from.scheme === "mailto") {
    name = c.from.name || c.from.email;
  } else if (c.from.scheme === "tel") {
    user = c.from.number;
  } else {
    name = formatAddress(c.from);
  }
  if (!STATION.test(user)) user = "omnivox";
  const displayName = safeName(name);
  return { uri: `sip:${user}@${domain}`, ...(displayName ? { displayName } : {}) };
}

export interface TelephoneAdapterDeps {
  player: CallPlayer;
  /** A stored audio blob as 8 kHz mono PCM; undefined when there is no such blob. */
  loadPcm(audioId: string): Promise<Int16Array | undefined>;
  /** Where a call to the address goes: each registered phone of a tel: number's owner, a sip: host. */
  locate(address: Address): Promise<CallRoute[]>;
  /** Our SIP domain, for the caller identity. */
  domain: string;
  /** How long a call may ring before it is given up (CANCEL); default 30 s. */
  answerTimeoutMs?: number;
  /**
   * An upper bound on one delivery attempt; none by default (the outbox renews its lease while a
   * call plays, so a long message is never taken again mid-call).
   */
  maxAttemptMs?: number;
  logger: Logger;
}

export class TelephoneAdapter implements Adapter {
  readonly name = "telephone";

  constructor(private readonly deps: TelephoneAdapterDeps) {}

  handles(address: Address): boolean {
    return address.scheme === "tel" || address.scheme === "sip";
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async send(c: Communication, r: Rendition, target: DeliveryTarget): Promise<string | undefined> {
    const to = formatAddress(target.address);
    if (r.medium !== "voice")
      throw new DeliveryError(`${to}: a phone takes audio; no text-to-speech produced any`, true);
    const pcm = await this.deps.loadPcm(r.audioId).catch((err: unknown) => {
      // A blob that is no WAV will not decode on the next attempt either; a store error may pass.
      const corrupt = (err as { code?: unknown } | null)?.code === "OMNIVOX_ERR_WAV";
      throw new DeliveryError(`${to}: the audio "${r.audioId}" cannot be read: ${err}`, corrupt, {
        cause: err,
      });
    });
    if (!pcm) throw new DeliveryError(`${to}: the audio "${r.audioId}" is not stored`, true);
    const routes = await this.deps.locate(target.address);
    if (routes.length === 0) {
      // A phone that is not registered now may register later: worth another attempt.
      throw new DeliveryError(`${to}: no phone is registered for it now; will try again later`);
    }
    const from = callerIdentity(c, this.deps.domain);
    const ringMs = this.deps.answerTimeoutMs ?? 30_000;
    const callMs = ringMs + pcm.length / 8;
    const budget = this.deps.maxAttemptMs ?? Number.POSITIVE_INFINITY;
    if (callMs > budget) {
      throw new DeliveryError(
        `${to}: ${Math.ceil(pcm.length / 8000)} s of audio after up to ${ringMs / 1000} s of ringing is longer than a delivery attempt may take here`,
        true,
      );
    }
    const deadline = Date.now() + budget;
    const failures: DeliveryError[] = [];
    // One phone after another: the first that answers hears the message, once.
    for (const route of routes) {
      if (failures.length > 0 && Date.now() + callMs > deadline) break;
      try {
        const played = await callAndPlay(this.deps.player, {
          route,
          pcm,
          from,
          answerTimeoutMs: ringMs,
        });
        this.deps.logger.info(
          { communicationId: c.id, to, playedMs: played.playedMs, callId: played.callId },
          "message played on the phone",
        );
        return played.callId;
      } catch (err) {
        this.deps.logger.info({ communicationId: c.id, to, err }, "phone did not take the call");
        failures.push(err instanceof DeliveryError ? err : new DeliveryError(String(err)));
      }
    }
    // Permanent only when no phone could ever take it.
    throw failures.find((f) => !f.permanent) ?? failures[0]!;
  }
}

// The telephone system as a delivery target (docs/architecture.md "Systems and conversions"
// pstn/cellular "out"): a voice rendition sent to a tel: or sip: address is played by placing a SIP
// call (RFC 3261) — to every registered phone of the number's owner at once, or out through a trunk
// (README "Trunks"); an optional Diversion header (RFC 5806) names the station a replay is
// deposited for in a legacy voicemail box.

import type { Logger } from "pino";
import { type Address, formatAddress, parseAddress } from "../../core/address.ts";
import { type Communication, isText } from "../../core/communication.ts";
import { DeliveryError, WavError } from "../../core/errors.ts";
import type { Adapter, DeliveryTarget } from "../../core/ports.ts";
import type { Rendition } from "../../core/rendition.ts";
import type { Diversion, PlayOnPhoneResult } from "../../core/telephony.ts";
import { DialogError, firstHop } from "../../protocols/sip/dialog/dialog.ts";
import type { Destination } from "../../protocols/sip/endpoint.ts";
import { parseUri } from "../../protocols/sip/message/index.ts";
import { routeOfSipUri, type UriRoute } from "../../protocols/sip/uri-route.ts";
import { callerIdentity } from "../../protocols/sip/usage/caller-id.ts";
import { diversionHeader } from "../../protocols/sip/usage/diversion.ts";
import { type ForkControl, ForkFailedError } from "../../protocols/sip/usage/fork.ts";
import { CallFailedError } from "../../protocols/sip/usage/invite-client.ts";
import type { CrossNodeForks, ForwardedCall } from "./cluster-phones.ts";
import type { PlayOnPhoneOptions } from "./service.ts";
import { type Trunk, trunkAt, trunkCall, trunkFor } from "./trunks.ts";

/** Where one call goes: the Request-URI and the next hop. */
export interface CallRoute extends UriRoute {
  /** Route headers the INVITE carries (a registration's Path, RFC 3327 §5.3); dest is their first hop. */
  routes?: readonly string[];
  /** Set when the call leaves through a trunk: its credentials and caller-ID host. */
  trunk?: Pick<Trunk, "id" | "fromDomain" | "credentials">;
  /** Cluster: the node that must place this call, holding the phone's flow (docs/cluster.md). */
  via?: string;
}

/** A registered phone: its Contact and the Path its REGISTER came through (RFC 3327). */
export interface RegisteredContact {
  uri: string;
  path?: readonly string[];
  /**
   * The flow its REGISTER arrived on (RFC 5626 §5.3: the open TCP/TLS connection, or the UDP
   * address a NAT maps back to the phone), used instead of the Contact's host when there is no Path.
   */
  flow?: Destination;
  /** Cluster: the other node whose flow alone reaches this phone. */
  node?: string;
}

export interface CallAndPlay {
  route: CallRoute;
  /** Further phones rung at the same time (parallel forking); the first to answer hears it. */
  forks?: CallRoute[];
  /** 8 kHz mono speech. */
  pcm: Int16Array;
  from: { uri: string; displayName?: string };
  diversion?: Diversion;
  answerTimeoutMs?: number;
  before?: PlayOnPhoneOptions["before"];
  onFrame?: PlayOnPhoneOptions["onFrame"];
  fork?: PlayOnPhoneOptions["fork"];
}

export interface CallPlayer {
  playOnPhone(opts: PlayOnPhoneOptions): Promise<PlayOnPhoneResult>;
}

export type { PlayOnPhoneResult };

/** Final responses that will not change by calling again (RFC 3261 §21). */
const PERMANENT = new Set([400, 401, 403, 404, 407, 410, 416, 420, 484, 485, 488, 604, 606]);

/** A failed fork is for good only when every phone refused for good. */
function forkPermanent(err: ForkFailedError): boolean {
  return err.failures.every((f) => f instanceof CallFailedError && PERMANENT.has(f.status));
}

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
  const credentials = req.route.trunk?.credentials;
  const forks =
    req.forks?.map((f) => ({
      uri: f.uri,
      dest: f.dest,
      ...(f.routes?.length ? { routes: f.routes } : {}),
    })) ?? [];
  try {
    return await player.playOnPhone({
      uri: req.route.uri,
      dest: req.route.dest,
      ...(req.route.routes?.length ? { routes: req.route.routes } : {}),
      from: req.from,
      pcm: req.pcm,
      headers,
      ...(credentials ? { credentials } : {}),
      ...(forks.length > 0 ? { forks } : {}),
      ...(req.answerTimeoutMs !== undefined ? { answerTimeoutMs: req.answerTimeoutMs } : {}),
      ...(req.before ? { before: req.before } : {}),
      ...(req.onFrame ? { onFrame: req.onFrame } : {}),
      ...(req.fork ? { fork: req.fork } : {}),
    });
  } catch (err) {
    if (err instanceof CallFailedError) {
      const permanent =
        err instanceof ForkFailedError ? forkPermanent(err) : PERMANENT.has(err.status);
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
 * A registered phone reached through the proxies of its Path (RFC 3327 §5.3): the Path is the
 * INVITE's preloaded route set and its first entry the next hop; without one, the flow it
 * registered on, else the Contact's host.
 */
export function routeOfContact(contact: RegisteredContact): CallRoute | undefined {
  const route = routeOfSipUri(contact.uri);
  if (!route) return undefined;
  const direct: CallRoute = contact.node ? { ...route, via: contact.node } : route;
  if (!contact.path?.length) return contact.flow ? { ...direct, dest: contact.flow } : direct;
  try {
    return { ...direct, dest: firstHop(contact.path, contact.uri), routes: contact.path };
  } catch (err) {
    if (err instanceof DialogError) return undefined;
    throw err;
  }
}

export interface PhoneDirectory {
  /** The user a number belongs to. */
  ownerOf(number: string): Promise<string | undefined>;
  /** The user a sip: URI at our domain names by its user part (a user id or a number). */
  userOf?(user: string): Promise<string | undefined>;
  /** The user's registered phones (RFC 3261 §10 bindings), with their Path. */
  contactsOf(userId: string): Promise<RegisteredContact[]>;
  /** Our own SIP listener: a contact pointing there would call us back in a loop. */
  self?: { host: string; port: number };
  /** `sip.domain`: sip: targets there are users' phones. */
  domain?: string;
  /** Trunks to the PSTN: numbers no user has leave through the one whose prefix matches. */
  trunks?: readonly Trunk[];
}

/** What a user sees for a destination omnivox will not call; the detail is the cause (logged). */
export const NOT_ALLOWED = "call failed: not an allowed destination";

function notAllowed(detail: string): DeliveryError {
  return new DeliveryError(NOT_ALLOWED, true, { cause: new Error(detail) });
}

/**
 * Locates call targets. A tel: number reaches the phones its owner has registered, or, when it
 * is no user's number, the trunk whose `numbers` prefix matches longest (none: permanent). A sip:
 * URI is called only at `sip.domain` (the user's registered phones) or at a trunk's host: any
 * other host is refused without a packet sent there, so omnivox cannot be made to probe ports.
 */
export function phoneLocator(dir: PhoneDirectory): (address: Address) => Promise<CallRoute[]> {
  const trunks = dir.trunks ?? [];
  const notSelf = (r: CallRoute | undefined): r is CallRoute =>
    r !== undefined && !(r.dest.host === dir.self?.host && r.dest.port === dir.self.port);
  const phonesOf = async (owner: string) =>
    (await dir.contactsOf(owner)).map(routeOfContact).filter(notSelf);
  const viaTrunk = (trunk: Trunk, call: { uri: string; dest: Destination }): CallRoute => ({
    ...call,
    trunk: {
      id: trunk.id,
      fromDomain: trunk.fromDomain,
      ...(trunk.credentials ? { credentials: trunk.credentials } : {}),
    },
  });
  return async (address) => {
    if (address.scheme === "sip") {
      const parsed = parseUri(address.uri);
      if ((parsed?.scheme !== "sip" && parsed?.scheme !== "sips") || !parsed.host)
        throw notAllowed(`${address.uri}: not a sip: or sips: URI`);
      const host = parsed.host.replace(/^\[|\]$/g, "").toLowerCase();
      const ours =
        host === dir.domain?.toLowerCase() ||
        (host === dir.self?.host && (parsed.port ?? 5060) === dir.self.port);
      if (ours) {
        const user = parsed.user ? await dir.userOf?.(parsed.user) : undefined;
        if (!user) throw notAllowed(`${address.uri}: no user "${parsed.user ?? ""}" here`);
        return phonesOf(user);
      }
      const trunk = trunkAt(trunks, host, parsed.port ?? undefined);
      const route = trunk ? routeOfSipUri(address.uri) : undefined;
      if (!trunk || !route)
        throw notAllowed(`${address.uri}: neither sip.domain nor a trunk's host`);
      return [viaTrunk(trunk, { uri: address.uri, dest: trunk.proxy })];
    }
    if (address.scheme !== "tel") throw new DeliveryError(`${address.scheme}: not a phone`, true);
    const owner = await dir.ownerOf(address.number);
    if (owner) return phonesOf(owner);
    const trunk = trunkFor(trunks, address.number);
    if (!trunk) {
      throw new DeliveryError(
        `no trunk for ${address.number}: it is no user's number and no trunk's numbers match it`,
        true,
      );
    }
    return [viaTrunk(trunk, trunkCall(trunk, address.number))];
  };
}

export interface TelephoneAdapterDeps {
  player: CallPlayer;
  /** A stored audio blob as 8 kHz mono PCM; undefined when there is no such blob. */
  loadPcm(audioId: string): Promise<Int16Array | undefined>;
  /** Where a call to the address goes: each registered phone of a tel: number's owner, a sip: host. */
  locate(address: Address): Promise<CallRoute[]>;
  /**
   * Cluster: rings the phones only other nodes' flows reach, through those nodes, together with
   * ours (cluster-phones.ts crossNodeForks).
   */
  forks?: Pick<CrossNodeForks, "ring" | "branch">;
  /** Cluster: this node's id, to tell whether another node's phone took the call. */
  nodeId?: string;
  /** Our SIP domain, for the caller identity. */
  domain: string;
  /** The first number of a user: the caller ID of what they send through a trunk. */
  numberOf?(userId: string): Promise<string | undefined>;
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
    const pcm = await this.#pcm(to, r.audioId);
    const routes = await this.deps.locate(target.address).catch((err: unknown) => {
      // The user sees only that the destination is not allowed; the operator sees why.
      if (err instanceof DeliveryError && err.message === NOT_ALLOWED)
        this.deps.logger.warn(
          { communicationId: c.id, reason: (err.cause as Error | undefined)?.message },
          "call refused: not an allowed destination",
        );
      throw err;
    });
    const ringMs = this.deps.answerTimeoutMs ?? 30_000;
    const callMs = ringMs + pcm.length / 8;
    const budget = this.deps.maxAttemptMs ?? Number.POSITIVE_INFINITY;
    if (callMs > budget) {
      throw new DeliveryError(
        `${to}: ${Math.ceil(pcm.length / 8000)} s of audio after up to ${ringMs / 1000} s of ringing is longer than a delivery attempt may take here`,
        true,
      );
    }
    const here = routes.filter((route) => route.via === undefined);
    const nodes = [...new Set(routes.flatMap((route) => (route.via ? [route.via] : [])))];
    const first = here[0];
    const from = first?.trunk
      ? await this.#trunkCallerId(c, first.trunk)
      : callerIdentity(c, this.deps.domain);
    const { forks } = this.deps;
    if (nodes.length === 0 || !forks) return this.#play(c.id, to, here, pcm, from, ringMs);
    // Some phones only other nodes' flows reach: those nodes ring them with ours.
    const call = { to, audioId: r.audioId, from, answerTimeoutMs: ringMs, communicationId: c.id };
    const local =
      here.length > 0
        ? (fork: ForkControl) => this.#play(c.id, to, here, pcm, from, ringMs, fork)
        : undefined;
    const won = await forks.ring(call, nodes, local, callMs + 15_000);
    if (won.node !== this.deps.nodeId)
      this.deps.logger.info(
        { communicationId: c.id, to, node: won.node, callId: won.callId },
        "call placed by the node holding the phone",
      );
    return won.callId;
  }

  /**
   * A call another node of the cluster handed over because only this node's flow reaches the
   * phone: located again here, among this node's own bindings.
   */
  async placeForwarded(call: ForwardedCall): Promise<string> {
    const pcm = await this.#pcm(call.to, call.audioId);
    const routes = (await this.deps.locate(parseAddress(call.to))).filter(
      (route) => route.via === undefined,
    );
    const branch = call.fork ? this.deps.forks?.branch(call.fork) : undefined;
    try {
      return await this.#play(
        call.communicationId,
        call.to,
        routes,
        pcm,
        call.from,
        call.answerTimeoutMs,
        branch?.control,
      );
    } finally {
      branch?.done();
    }
  }

  async #pcm(to: string, audioId: string): Promise<Int16Array> {
    const pcm = await this.deps.loadPcm(audioId).catch((err: unknown) => {
      // A blob that is no WAV will not decode on the next attempt either; a store error may pass.
      const corrupt = err instanceof WavError;
      throw new DeliveryError(`${to}: the audio "${audioId}" cannot be read: ${err}`, corrupt, {
        cause: err,
      });
    });
    if (!pcm) throw new DeliveryError(`${to}: the audio "${audioId}" is not stored`, true);
    return pcm;
  }

  async #play(
    communicationId: string,
    to: string,
    routes: readonly CallRoute[],
    pcm: Int16Array,
    from: { uri: string; displayName?: string },
    ringMs: number,
    fork?: ForkControl,
  ): Promise<string> {
    const [first, ...forks] = routes;
    if (!first) {
      // A phone that is not registered now may register later: worth another attempt.
      throw new DeliveryError(`${to}: no phone is registered for it now; will try again later`);
    }
    // Every phone rings at once (parallel forking): the first that answers hears the message.
    try {
      const played = await callAndPlay(this.deps.player, {
        route: first,
        ...(forks.length > 0 ? { forks } : {}),
        pcm,
        from,
        answerTimeoutMs: ringMs,
        ...(fork ? { fork } : {}),
      });
      this.deps.logger.info(
        {
          communicationId,
          to,
          playedMs: played.playedMs,
          callId: played.callId,
          ...(first.trunk ? { trunk: first.trunk.id } : {}),
        },
        "message played on the phone",
      );
      return played.callId;
    } catch (err) {
      this.deps.logger.info({ communicationId, to, err }, "phone did not take the call");
      throw err instanceof DeliveryError ? err : new DeliveryError(String(err));
    }
  }

  /** The sender's number where known (a trunk shows it as caller ID), under the trunk's domain. */
  async #trunkCallerId(
    c: Communication,
    trunk: NonNullable<CallRoute["trunk"]>,
  ): Promise<{ uri: string; displayName?: string }> {
    let number: string | undefined;
    if (c.direction === "outbound") number = await this.deps.numberOf?.(c.userId);
    else if (!isText(c)) number = c.ani;
    else if (c.from.scheme === "tel") number = c.from.number;
    const user =
      number && /^\+?[0-9]{1,32}$/.test(number)
        ? number
        : (trunk.credentials?.username ?? "anonymous");
    const shown = callerIdentity(c, trunk.fromDomain).displayName;
    return {
      uri: `sip:${encodeURIComponent(user).replace(/%2B/g, "+")}@${trunk.fromDomain}`,
      ...(shown ? { displayName: shown } : {}),
    };
  }
}

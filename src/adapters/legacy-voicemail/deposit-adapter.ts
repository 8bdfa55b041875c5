// Deposits into a legacy voicemail box through the outbox (README "Dual deposit into legacy boxes"): the
// voice rendition is played by a SIP call to the box's depositUri with Diversion (RFC 5806),
// after an SMDI call detail (GR-283 MD frame) when the box is on an SMDI link. `legacy:` targets.

import type { Logger } from "pino";
import { type Address, formatAddress } from "../../core/address.ts";
import { type Communication, isText } from "../../core/communication.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { Adapter, DeliveryTarget } from "../../core/ports.ts";
import type { Profile } from "../../core/profile.ts";
import type { Rendition } from "../../core/rendition.ts";
import type { Telephony } from "../../core/telephony.ts";
import { routeOfSipUri } from "../../protocols/sip/uri-route.ts";
import { callerIdentity } from "../../protocols/sip/usage/caller-id.ts";
import type { CallForward } from "../../protocols/smdi/index.ts";
import { callingStation, depositBoxes, stationOf } from "./relay.ts";

/** What the adapter needs of the telephone system and the SMDI links. */
export interface DepositLinks {
  telephony: Pick<Telephony, "playCall">;
  callDetail(link: string, call: CallForward): boolean;
}

export interface LegacyDepositOptions {
  profileOf(userId: string): Promise<Profile | undefined>;
  /** A stored audio blob as 8 kHz mono PCM; undefined when there is no such blob. */
  loadPcm(audioId: string): Promise<Int16Array | undefined>;
  /** Our SIP domain: the host of the Diversion and From URIs. */
  domain: string;
  logger: Logger;
  /** How long the box may ring (then CANCEL); default 30 s. */
  answerTimeoutMs?: number;
  /** The longest one attempt may take: below the outbox lease, so no second call overlaps it. */
  maxAttemptMs?: number;
  /** The telephone system's calls and the SMDI links; without them deliveries are retried. */
  links?: DepositLinks;
}

export class LegacyDepositAdapter implements Adapter {
  readonly name = "legacy-voicemail";
  constructor(private readonly o: LegacyDepositOptions) {}

  handles(address: Address): boolean {
    return address.scheme === "legacy";
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async send(c: Communication, r: Rendition, target: DeliveryTarget): Promise<string | undefined> {
    const { address } = target;
    const to = formatAddress(address);
    if (address.scheme !== "legacy") throw new DeliveryError(`${to}: not a legacy box`, true);
    const profile = await this.o.profileOf(address.userId);
    if (!profile) throw new DeliveryError(`${to}: user "${address.userId}" does not exist`, true);
    const box = depositBoxes(profile).find((b) => b.id === address.systemId);
    if (!box) {
      throw new DeliveryError(
        `${to}: the profile has no voicemail system "${address.systemId}" with a depositUri`,
        true,
      );
    }
    const route = routeOfSipUri(box.depositUri);
    if (!route)
      throw new DeliveryError(`${to}: depositUri is not a sip: URI over UDP or TCP`, true);
    if (r.medium !== "voice")
      throw new DeliveryError(`${to}: a voicemail box takes audio; no speech was produced`, true);
    const pcm = await this.o.loadPcm(r.audioId);
    if (!pcm) throw new DeliveryError(`${to}: the audio "${r.audioId}" is not stored`, true);
    const ringMs = this.o.answerTimeoutMs ?? 30_000;
    if (ringMs + pcm.length / 8 > (this.o.maxAttemptMs ?? Number.POSITIVE_INFINITY)) {
      throw new DeliveryError(
        `${to}: ${Math.ceil(pcm.length / 8000)} s of audio after up to ${ringMs / 1000} s of ringing is longer than a delivery may take; raise outbox.leaseMs`,
        true,
      );
    }
    const links = this.o.links;
    if (!links) throw new DeliveryError(`${to}: the SIP endpoint is not started yet`);

    const dialled = isText(c) ? undefined : c.dnis;
    const station = stationOf(box, dialled, profile);
    if (box.kind === "smdi") {
      const forward: CallForward = {
        type: "N",
        forwardingStation: station,
        callingStation: callingStation(isText(c) ? undefined : c.ani),
      };
      let sent = false;
      try {
        sent = links.callDetail(box.link, forward);
      } catch (err) {
        throw new DeliveryError(
          `${to}: station "${station}" cannot go in an SMDI call detail`,
          true,
          {
            cause: err,
          },
        );
      }
      if (!sent) {
        throw new DeliveryError(
          `${to}: SMDI link "${box.link}" is down or unknown; will try again later`,
        );
      }
    }
    const played = await links.telephony.playCall({
      ...route,
      pcm,
      from: callerIdentity(c, this.o.domain),
      diversion: { station, host: this.o.domain, reason: "no-answer" },
      answerTimeoutMs: ringMs,
    });
    this.o.logger.info(
      { communicationId: c.id, to, playedMs: played.playedMs, callId: played.callId },
      "legacy voicemail: message replayed into the box",
    );
    return played.callId;
  }
}

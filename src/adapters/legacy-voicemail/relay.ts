// Dual deposit (README "Dual deposit into legacy boxes"): while a call is recorded into our store, each legacy box of the
// user with a depositUri gets the same audio live, on a second SIP leg carrying Diversion (RFC
// 5806), after an SMDI call detail (GR-283 MD frame) when the box sits on an SMDI link.

import type { Logger } from "pino";
import type { Address } from "../../core/address.ts";
import type {
  ExtraTarget,
  LiveDepositCopy,
  LiveDepositParty,
  LiveDeposits,
} from "../../core/ports.ts";
import type { Profile, VoicemailSystem } from "../../core/profile.ts";
import type { DialRequest, OutboundLeg } from "../../core/telephony.ts";
import { FRAME_MS } from "../../media/pcm.ts";
import { routeOfSipUri } from "../../protocols/sip/uri-route.ts";
import { diversionHeader } from "../../protocols/sip/usage/diversion.ts";
import type { CallForward } from "../../protocols/smdi/index.ts";

export type DepositBox = Extract<VoicemailSystem, { kind: "sip" | "smdi" }> & {
  depositUri: string;
};

/** An answered call into a legacy box: where the recorded frames go. */
export interface RelayLeg {
  readonly callId: string;
  sendFrame(pcm: Int16Array): void;
  readonly ended: Promise<unknown>;
  hangup(): Promise<void>;
}

/** What the relay needs of the telephone system and the SMDI links. */
export interface RelayLinks {
  dial(opts: DialRequest): Promise<RelayLeg>;
  /** Sends the MD frame on an SMDI link; false when the link could not take it. */
  callDetail(link: string, call: CallForward): boolean;
}

export interface LegacyRelayOptions {
  profileOf(userId: string): Promise<Profile | undefined>;
  /** Our SIP domain: the host of the Diversion and From URIs. */
  domain: string;
  logger: Logger;
  /** Recorded audio held for a box that has not answered yet; beyond it the relay gives up. */
  holdMs?: number;
  answerTimeoutMs?: number;
  /** The telephone system's calls and the SMDI links; without them every live copy fails. */
  links?: RelayLinks;
}

export interface RelayCall {
  userId: string;
  callId: string;
  party: LiveDepositParty;
}

/** The boxes of a profile that take deposits. */
export function depositBoxes(profile: Profile): DepositBox[] {
  return profile.voicemailSystems.filter(
    (s): s is DepositBox => s.kind !== "internal" && Boolean(s.depositUri),
  );
}

/** The station a deposit is filed under: the SMDI station, else the number that was dialled. */
export function stationOf(box: DepositBox, dialled: string | undefined, profile: Profile): string {
  return box.kind === "smdi" ? box.station : (dialled ?? profile.phones[0] ?? profile.id);
}

/** An ANI as the calling station of an MD frame: digits only, else unknown (empty). */
export function callingStation(ani: string | undefined): string {
  const digits = ani?.replace(/^\+/, "") ?? "";
  return /^\d{1,15}$/.test(digits) ? digits : "";
}

const ANI = /^\+?[0-9A-Za-z*#._-]{1,32}$/;

/** A caller name fit for a From display-name: no quotes or control characters, not too long. */
function safeName(name: string): string {
  return name
    .replace(/[\p{Cc}"\\]/gu, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 64);
}

/** The telephone system's outbound leg as a relay leg (it always knows its Call-ID). */
export function relayLegOf(leg: OutboundLeg): RelayLeg {
  const { callId } = leg;
  if (!callId) {
    void leg.hangup().catch(() => undefined);
    throw new Error("the outbound call has no Call-ID");
  }
  return {
    callId,
    sendFrame: (pcm) => leg.sendFrame(pcm),
    ended: leg.ended,
    hangup: () => leg.hangup(),
  };
}

export class LegacyRelay implements LiveDeposits {
  constructor(private readonly o: LegacyRelayOptions) {}

  open(call: RelayCall): LiveDepositCopy {
    return new RelayCopy(call, this.o, () => this.o.links);
  }
}

type LegState = "dialling" | "up" | "failed" | "ended";

/** One recording's copies: one leg per deposit box of the user. */
class RelayCopy implements LiveDepositCopy {
  #legs: BoxLeg[] | undefined;
  /** Frames recorded while the profile loads. */
  #early: Int16Array[] = [];
  /** Kept (finish) or dropped (close): either way no leg is dialled any more. */
  #over: "kept" | "dropped" | undefined;
  readonly #ready: Promise<void>;
  readonly #log: Logger;
  readonly #holdFrames: number;

  constructor(
    private readonly call: RelayCall,
    private readonly o: LegacyRelayOptions,
    links: () => RelayLinks | undefined,
  ) {
    this.#log = o.logger.child({ userId: call.userId, callId: call.callId });
    this.#holdFrames = Math.ceil((o.holdMs ?? 2000) / FRAME_MS);
    this.#ready = this.#start(links).catch((err: unknown) => {
      this.#log.error({ err }, "legacy voicemail: cannot start the live deposit");
      this.#legs ??= [];
    });
  }

  async #start(links: () => RelayLinks | undefined): Promise<void> {
    const profile = await this.o.profileOf(this.call.userId);
    const boxes = profile ? depositBoxes(profile) : [];
    const legs = boxes.map(
      (box) => new BoxLeg(box, this.call, this.o, this.#log, this.#holdFrames),
    );
    this.#legs = legs;
    const early = this.#early;
    this.#early = [];
    for (const leg of legs) {
      if (this.#over === "kept") leg.fail("the recording was over before the call was placed");
      else if (this.#over === "dropped") leg.close();
      else leg.start(profile!, early, links());
    }
  }

  write(pcm: Int16Array): void {
    const legs = this.#legs;
    if (!legs) {
      // One frame past the hold is enough for the legs to see they waited too long.
      if (this.#early.length <= this.#holdFrames) this.#early.push(pcm.slice());
      return;
    }
    for (const leg of legs) leg.write(pcm);
  }

  async finish(): Promise<ExtraTarget[]> {
    this.#over ??= "kept";
    await this.#ready;
    return (this.#legs ?? []).map((leg) => leg.end());
  }

  close(): void {
    this.#over ??= "dropped";
    for (const leg of this.#legs ?? []) leg.close();
  }
}

class BoxLeg {
  state: LegState = "dialling";
  readonly address: Address;
  #held: Int16Array[] = [];
  #leg: RelayLeg | undefined;

  constructor(
    readonly box: DepositBox,
    private readonly call: RelayCall,
    private readonly o: LegacyRelayOptions,
    private readonly log: Logger,
    private readonly holdFrames: number,
  ) {
    this.address = { scheme: "legacy", userId: call.userId, systemId: box.id };
  }

  start(profile: Profile, early: Int16Array[], links: RelayLinks | undefined): void {
    this.#held = early.map((f) => f.slice());
    if (!links) {
      this.fail("the SIP endpoint or SMDI links are not started yet");
      return;
    }
    void this.#dial(profile, links);
  }

  async #dial(profile: Profile, links: RelayLinks): Promise<void> {
    const { box, call, o } = this;
    try {
      const { party } = call;
      const station = stationOf(box, party.divertedFrom ?? party.dnis, profile);
      const diversion = diversionHeader({ station, host: o.domain, reason: "no-answer" });
      const route = routeOfSipUri(box.depositUri);
      if (!route) throw new Error("the depositUri is not a sip: URI over UDP or TCP");
      // The box learns whose mailbox it is from the MD frame first, as from a switch (GR-283).
      if (box.kind === "smdi") {
        const forward: CallForward = {
          type: "N",
          forwardingStation: station,
          callingStation: callingStation(party.ani),
        };
        if (!links.callDetail(box.link, forward))
          throw new Error(`SMDI link "${box.link}" did not take the call detail`);
      }
      const user = party.ani && ANI.test(party.ani) ? party.ani : "anonymous";
      const name = party.callerName ? safeName(party.callerName) : "";
      const leg = await links.dial({
        uri: route.uri,
        dest: route.dest,
        from: {
          uri: `sip:${user}@${o.domain}`,
          ...(name ? { displayName: name } : {}),
        },
        headers: [["Diversion", diversion]],
        answerTimeoutMs: o.answerTimeoutMs ?? 10_000,
      });
      if (this.state !== "dialling") {
        // Given up on (or the recording ended) while it rang: the box must not keep a stub.
        void leg.hangup().catch(() => undefined);
        return;
      }
      this.#leg = leg;
      this.state = "up";
      for (const frame of this.#held) leg.sendFrame(frame);
      this.#held = [];
      void leg.ended.then((why) => {
        if (this.state === "up") this.fail(`the legacy box ended the call (${String(why)})`);
      });
    } catch (err) {
      this.fail(err instanceof Error ? err.message : String(err));
    }
  }

  write(pcm: Int16Array): void {
    if (this.state === "up") {
      try {
        this.#leg!.sendFrame(pcm);
      } catch (err) {
        this.fail(`cannot send audio: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else if (this.state === "dialling") {
      this.#held.push(pcm.slice());
      if (this.#held.length > this.holdFrames) {
        this.fail(`not answered within ${this.holdFrames * FRAME_MS} ms of recorded audio`);
      }
    }
  }

  /** A failure is logged once; the stored message is then replayed through the outbox. */
  fail(reason: string): void {
    if (this.state === "failed" || this.state === "ended") return;
    this.state = "failed";
    this.#held = [];
    this.#leg?.hangup().catch(() => undefined);
    this.log.warn(
      { systemId: this.box.id, depositUri: this.box.depositUri, reason },
      "legacy voicemail: live deposit failed; the stored message will be replayed",
    );
  }

  /** The recording is over: hang up, and say whether the box has the whole message. */
  end(): ExtraTarget {
    if (this.state === "dialling") this.fail("not answered before the recording ended");
    const leg = this.#leg;
    if (this.state !== "up" || !leg) return { address: this.address };
    this.state = "ended";
    // Not awaited: the caller's 200 OK to BYE must not wait for the box's answer to ours.
    leg.hangup().catch((err: unknown) => this.log.debug({ err }, "legacy leg: BYE failed"));
    this.log.info(
      { systemId: this.box.id, legacyCallId: leg.callId },
      "legacy voicemail: live deposit delivered",
    );
    return { address: this.address, delivered: { nativeId: leg.callId } };
  }

  /** The recording was dropped: end the call without a word (the caller chose it). */
  close(): void {
    if (this.state === "failed" || this.state === "ended") return;
    this.state = "ended";
    this.#held = [];
    this.#leg?.hangup().catch(() => undefined);
  }
}

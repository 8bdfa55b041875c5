// The legacy voicemail system (README "Message waiting", "Dual deposit into legacy boxes"):
// message-summary subscriptions on the telephone system's SIP endpoint and one SMDI link per
// `smdi[]` entry with omnivox in the switch's role, as MWI sources; the live copy of each
// deposit into the user's boxes and the `legacy:` replays through the telephony port.

import type { Logger } from "pino";
import type { HostPort } from "../../core/host-port.ts";
import type { LinkOwnership, MwiSink, System } from "../../core/ports.ts";
import type { Profile } from "../../core/profile.ts";
import type { Telephony } from "../../core/telephony.ts";
import type { SipEndpoint } from "../../protocols/sip/endpoint.ts";
import { MwiSubscriberHub } from "../../protocols/sip/usage/mwi/subscriber-hub.ts";
import { SmdiLink, type SmdiLinkOptions } from "../../protocols/smdi/index.ts";
import { LegacyDepositAdapter } from "./deposit-adapter.ts";
import { LegacyRelay, relayLegOf } from "./relay.ts";
import { SipMwiSource, type SipSourceOptions } from "./sip-source.ts";
import { SmdiMwiSource } from "./smdi-source.ts";

/** The `legacyVoicemail` and `smdi` sections as this system reads them. */
export interface LegacyVoicemailOptions {
  smdi: ReadonlyArray<{ id: string } & ({ connect: string } | { listen: string })>;
  subscribeExpires: number;
  retryMinMs: number;
  retryMaxMs: number;
  credentials: NonNullable<SipSourceOptions["credentials"]>;
  unsolicitedUdp: NonNullable<SipSourceOptions["unsolicitedUdp"]>;
  /** Our SIP domain: the host of the Diversion and From URIs. */
  domain: string;
  /** The longest one replay may take: below the outbox lease, so no second call overlaps it. */
  maxAttemptMs: number;
}

export interface LegacyVoicemailDeps {
  /** The telephone system's endpoint: SUBSCRIBEs leave from it and NOTIFYs arrive on it. */
  endpoint: SipEndpoint;
  /** Our Contact URI on that endpoint; default the endpoint's for each subscription's transport. */
  localContact?: string;
  telephony: Telephony;
  sink: MwiSink;
  profileOf(userId: string): Promise<Profile | undefined>;
  /** A stored audio blob as 8 kHz mono PCM; undefined when there is no such blob. */
  loadPcm(audioId: string): Promise<Int16Array | undefined>;
  /**
   * In a cluster: each SMDI link, and the subscriptions to legacy boxes as one, run only on the
   * node that owns them (docs/cluster.md "Ownership"). Absent: this node runs them all.
   */
  ownership?: LinkOwnership;
  logger: Logger;
}

export interface LegacyVoicemail extends System {
  /** The live copies of each deposit (dual deposit), for the telephone system. */
  readonly liveDeposits: LegacyRelay;
  readonly sip: SipMwiSource;
  /** Also sends the MD call detail of a deposit into a box on an SMDI link (callDetail). */
  readonly smdi: SmdiMwiSource;
}

export function create(opts: LegacyVoicemailOptions, deps: LegacyVoicemailDeps): LegacyVoicemail {
  const logger = deps.logger.child({ component: "legacy-voicemail" });
  const links = new Map<string, SmdiLink>();
  for (const entry of opts.smdi) {
    const common: Pick<SmdiLinkOptions, "id" | "logger"> = {
      id: entry.id,
      logger: logger.child({ smdi: entry.id }),
    };
    links.set(
      entry.id,
      "connect" in entry
        ? new SmdiLink({ ...common, connect: entry.connect })
        : new SmdiLink({ ...common, listen: entry.listen }),
    );
  }
  const hub = new MwiSubscriberHub(deps.endpoint, {
    ...(deps.localContact ? { localContact: deps.localContact } : {}),
    logger,
  });
  const sip = new SipMwiSource({
    hub,
    sink: deps.sink,
    logger,
    expires: opts.subscribeExpires,
    retry: { minMs: opts.retryMinMs, maxMs: opts.retryMaxMs },
    credentials: opts.credentials,
    unsolicitedUdp: opts.unsolicitedUdp,
    active: !deps.ownership,
  });
  const smdi = new SmdiMwiSource({ links, sink: deps.sink, logger });
  const boxLinks = {
    callDetail: smdi.callDetail.bind(smdi),
  };
  const common = {
    profileOf: deps.profileOf,
    domain: opts.domain,
    logger: deps.logger.child({ component: "legacy-deposit" }),
  };
  const liveDeposits = new LegacyRelay({
    ...common,
    links: {
      ...boxLinks,
      dial: async (req) => relayLegOf(await deps.telephony.dial(req, false)),
    },
  });
  const replays = new LegacyDepositAdapter({
    ...common,
    loadPcm: deps.loadPcm,
    maxAttemptMs: opts.maxAttemptMs,
    links: { ...boxLinks, telephony: deps.telephony },
  });
  const closeLinks = () => Promise.allSettled([...links.values()].map((l) => l.close()));
  return {
    name: "legacy-voicemail",
    adapters: [replays],
    mwiSources: [sip, smdi],
    liveDeposits,
    sip,
    smdi,
    async start() {
      const { ownership } = deps;
      if (ownership) {
        // Bound ports are not known up front: a link starts when this node takes it over.
        for (const [id, link] of links)
          ownership.own(`smdi:${id}`, { start: () => link.start(), stop: () => link.close() });
        ownership.own("legacy-sip", { start: () => sip.activate(), stop: () => sip.deactivate() });
        return {};
      }
      const bound: Record<string, HostPort> = {};
      try {
        for (const [id, link] of links) {
          await link.start();
          const address = link.address();
          if (address) bound[`smdi:${id}`] = address;
        }
      } catch (err) {
        await closeLinks();
        throw err;
      }
      if (Object.keys(bound).length > 0) logger.info({ smdiPorts: bound }, "smdi links listening");
      return bound;
    },
    // Before the SIP endpoint stops: un-SUBSCRIBE with Expires: 0 needs it.
    async stop() {
      await sip.stop();
      await hub.stop();
      await smdi.stop();
      await closeLinks();
    },
  };
}

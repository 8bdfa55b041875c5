// Wires the legacy voicemail MWI sources (README "Message waiting"): message-summary subscriptions on the telephone
// system's SIP endpoint, and one SMDI link per `smdi[]` entry with omnivox in the switch's role.
// The MWI service drives both through MwiSource.sync; stop them before the SIP endpoint.

import type { Logger } from "pino";
import { SipMwiSource } from "../adapters/legacy-voicemail/sip-source.ts";
import { SmdiMwiSource } from "../adapters/legacy-voicemail/smdi-source.ts";
import type { Config } from "../config/schema.ts";
import type { MwiSink, MwiSource } from "../core/ports.ts";
import type { SipEndpoint } from "../protocols/sip/endpoint.ts";
import { MwiSubscriberHub } from "../protocols/sip/usage/mwi/subscriber-hub.ts";
import { type HostPort, SmdiLink } from "../protocols/smdi/index.ts";

export interface LegacyVoicemailDeps {
  /** The telephone system's endpoint: SUBSCRIBEs leave from it and NOTIFYs arrive on it. */
  endpoint: SipEndpoint;
  /** Our Contact URI on that endpoint; default the endpoint's for each subscription's transport. */
  localContact?: string;
  sink: MwiSink;
  logger: Logger;
}

export interface LegacyVoicemail {
  /** For the MWI service: `sip` then `smdi`. */
  sources: MwiSource[];
  sip: SipMwiSource;
  /** Also sends the MD call detail of a deposit into a box on an SMDI link (callDetail). */
  smdi: SmdiMwiSource;
  /** Where each listen-role SMDI link is bound (port 0 resolved), by its id. */
  smdiPorts: Record<string, HostPort>;
  /** Unsubscribes (Expires: 0), then closes the SMDI links. */
  stop(): Promise<void>;
}

export async function startLegacyVoicemail(
  config: Pick<Config, "smdi" | "legacyVoicemail">,
  deps: LegacyVoicemailDeps,
): Promise<LegacyVoicemail> {
  const lv = config.legacyVoicemail;
  const logger = deps.logger.child({ component: "legacy-voicemail" });
  const links = new Map<string, SmdiLink>();
  const smdiPorts: Record<string, HostPort> = {};
  try {
    for (const entry of config.smdi) {
      const common = { id: entry.id, logger: logger.child({ smdi: entry.id }) };
      const link =
        "connect" in entry
          ? new SmdiLink({ ...common, connect: entry.connect })
          : new SmdiLink({ ...common, listen: entry.listen });
      links.set(entry.id, link);
      await link.start();
      const bound = link.address();
      if (bound) smdiPorts[entry.id] = bound;
    }
  } catch (err) {
    await Promise.allSettled([...links.values()].map((l) => l.close()));
    throw err;
  }
  if (Object.keys(smdiPorts).length > 0) logger.info({ smdiPorts }, "smdi links listening");

  const hub = new MwiSubscriberHub(deps.endpoint, {
    ...(deps.localContact ? { localContact: deps.localContact } : {}),
    logger,
  });
  const sip = new SipMwiSource({
    hub,
    sink: deps.sink,
    logger,
    expires: lv.subscribeExpires,
    retry: { minMs: lv.retryMinMs, maxMs: lv.retryMaxMs },
    credentials: lv.credentials,
    unsolicitedUdp: lv.unsolicitedUdp,
  });
  const smdi = new SmdiMwiSource({ links, sink: deps.sink, logger });
  return {
    sources: [sip, smdi],
    sip,
    smdi,
    smdiPorts,
    async stop() {
      await sip.stop();
      await hub.stop();
      await smdi.stop();
      await Promise.allSettled([...links.values()].map((l) => l.close()));
    },
  };
}

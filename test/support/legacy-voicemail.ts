// The legacy voicemail system on its own, as the MWI tests and benchmark drive it: built from a
// config on a given SIP endpoint, started, with no telephone system behind it (no relay calls).

import type { Logger } from "pino";
import { create, type LegacyVoicemail } from "../../src/adapters/legacy-voicemail/index.ts";
import { legacyVoicemailOptions } from "../../src/app/systems.ts";
import type { Config } from "../../src/config/schema.ts";
import type { HostPort } from "../../src/core/host-port.ts";
import type { MwiSink } from "../../src/core/ports.ts";
import type { Telephony } from "../../src/core/telephony.ts";
import type { SipEndpoint } from "../../src/protocols/sip/endpoint.ts";

const noCalls: Telephony = {
  playCall: () => Promise.reject(new Error("no telephone system in this test")),
  dial: () => Promise.reject(new Error("no telephone system in this test")),
  route: () => ({ refused: "no telephone system in this test" }),
};

export interface StartedLegacyVoicemail extends LegacyVoicemail {
  /** Where each listen-role SMDI link is bound, by its id. */
  smdiPorts: Record<string, HostPort>;
  stop(): Promise<void>;
}

export async function startLegacyVoicemail(
  config: Config,
  deps: { endpoint: SipEndpoint; localContact?: string; sink: MwiSink; logger: Logger },
): Promise<StartedLegacyVoicemail> {
  const system = create(legacyVoicemailOptions(config), {
    ...deps,
    telephony: noCalls,
    profileOf: async () => undefined,
    loadPcm: async () => undefined,
  });
  const bound = await system.start!();
  const smdiPorts = Object.fromEntries(
    Object.entries(bound).map(([name, at]) => [name.replace(/^smdi:/, ""), at]),
  );
  return { ...system, smdiPorts, stop: () => system.stop!() };
}

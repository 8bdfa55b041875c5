// Test support for the legacy voicemail sources: omnivox's side of the SIP tests — an endpoint on
// port 0 with short timers, its dialog registry, the subscriber hub and the SIP MWI source —
// reporting into a recording sink, with every log line kept.

import type { Logger } from "pino";
import {
  type SipCredential,
  SipMwiSource,
  type SipSourceOptions,
} from "../../src/adapters/legacy-voicemail/sip-source.ts";
import type { SipSystem } from "../../src/adapters/legacy-voicemail/sip-unsolicited.ts";
import { DialogRegistry } from "../../src/protocols/sip/dialog/registry.ts";
import { SipEndpoint } from "../../src/protocols/sip/endpoint.ts";
import { MwiSubscriberHub } from "../../src/protocols/sip/usage/mwi/subscriber-hub.ts";
import { type LogLine, RecordingSink, recordingLogger } from "../peers/legacy-vm/support.ts";

export interface OmnivoxSide {
  endpoint: SipEndpoint;
  port: number;
  /** The TCP port, when asked for with `tcp: true`. */
  tcpPort?: number;
  source: SipMwiSource;
  sink: RecordingSink;
  logger: Logger;
  lines: LogLine[];
  /** Log lines at warn or above whose message starts with `prefix`. */
  warnings(prefix?: string): LogLine[];
  stop(): Promise<void>;
}

export async function omnivoxSide(
  options: { credentials?: SipCredential[]; expires?: number; tcp?: boolean } & Partial<
    Pick<SipSourceOptions, "resolve" | "unsolicitedUdp">
  > = {},
): Promise<OmnivoxSide> {
  const { logger, lines } = recordingLogger();
  const endpoint = new SipEndpoint({
    udp: { host: "127.0.0.1", port: 0 },
    ...(options.tcp ? { tcp: { host: "127.0.0.1", port: 0 } } : {}),
    timers: { t1: 20, t2: 80, t4: 100 },
    logger,
  });
  const bound = await endpoint.start();
  const port = bound.udp?.port ?? 0;
  const dialogs = new DialogRegistry(endpoint);
  const hub = new MwiSubscriberHub(endpoint, {
    localContact: `sip:omnivox@127.0.0.1:${port}`,
    logger,
  });
  const sink = new RecordingSink();
  const source = new SipMwiSource({
    hub,
    sink,
    logger,
    expires: options.expires ?? 60,
    retry: { minMs: 20, maxMs: 200 },
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...(options.unsolicitedUdp ? { unsolicitedUdp: options.unsolicitedUdp } : {}),
  });
  return {
    endpoint,
    port,
    ...(bound.tcp ? { tcpPort: bound.tcp.port } : {}),
    source,
    sink,
    logger,
    lines,
    warnings: (prefix = "") => lines.filter((l) => l.level >= 40 && l.msg.startsWith(prefix)),
    async stop() {
      await source.stop();
      await hub.stop();
      dialogs.close();
      await endpoint.stop();
    },
  };
}

export function sipSystem(id: string, uri: string): SipSystem {
  return { id, kind: "sip", uri };
}

// The email system (docs/architecture.md "Systems and conversions"): SMTP in for mail to users,
// SMTP out through the relay. `createEmail` builds both from the `smtp` and `smtpOut` config
// sections.

import type { Logger } from "pino";
import type { Gateway, System } from "../../core/ports.ts";
import { normalizeDomain } from "./recipients.ts";
import { createSmtpIn, type SmtpInOptions, type SmtpInServer } from "./smtp-in.ts";
import { EmailAdapter } from "./smtp-out.ts";

export { COMMUNICATION_HEADER, composeMail } from "./compose.ts";
export { LOOP_REF_PREFIX, loopedFrom } from "./drafts.ts";
export { createSmtpIn, type SmtpInOptions, type SmtpInServer } from "./smtp-in.ts";
export { EmailAdapter, type EmailAdapterOptions, toDeliveryError } from "./smtp-out.ts";

export interface EmailSystem {
  /** Outbound: register with the adapters. */
  adapter: EmailAdapter;
  /** Inbound: start after the gateway is ready, stop before it. */
  inbound: SmtpInServer;
}

/** The `smtp` and `smtpOut` sections as this system reads them, `smtp.listen` parsed. */
export interface EmailOptions {
  smtp: {
    listen: { host: string; port: number };
    domains: string[];
    maxMessageBytes: number;
    hostname?: string | undefined;
    maxClients: number;
    maxConnectionsPerSource: number;
    idleTimeoutMs: number;
    maxSessionMs: number;
    dataTimeoutMs: number;
    parser: SmtpInOptions["parser"];
  };
  smtpOut: {
    host: string;
    port: number;
    secure: boolean;
    username?: string | undefined;
    user?: string | undefined;
    password?: string | undefined;
    requireTls: boolean;
    fromDomain?: string | undefined;
  };
  /** STARTTLS on SMTP in: the certificate read or made (app/tls-certificate.ts) and the policy. */
  smtpTls?: SmtpInOptions["tls"];
  /** The CA the relay's certificate is checked against (smtpOut.ca, read). */
  smtpOutCa?: string;
}

export function createEmail(
  config: EmailOptions,
  deps: {
    gateway: Gateway;
    logger: Logger;
    /** The store's audio blobs, for voicemail attachments. */
    loadAudio?: (audioId: string) => Promise<Uint8Array | undefined>;
    /** Re-encodes voicemail for routes that ask for MP3 or Ogg (the audio worker pool). */
    encodeAudio?: (wav: Uint8Array, format: "mp3" | "ogg") => Promise<Uint8Array>;
    /** Counts what SMTP in's connection limits refuse (metrics). */
    onThrottle?: SmtpInOptions["onThrottle"];
  },
): EmailSystem {
  const { smtp, smtpOut } = config;
  const fromDomain = normalizeDomain(smtpOut.fromDomain ?? smtp.domains[0] ?? "localhost");
  const adapter = new EmailAdapter({
    host: smtpOut.host,
    port: smtpOut.port,
    secure: smtpOut.secure,
    ...((smtpOut.username ?? smtpOut.user) !== undefined
      ? { user: (smtpOut.username ?? smtpOut.user)! }
      : {}),
    ...(smtpOut.password !== undefined ? { password: smtpOut.password } : {}),
    requireTls: smtpOut.requireTls,
    ...(config.smtpOutCa !== undefined ? { ca: config.smtpOutCa } : {}),
    fromDomain,
    servedDomains: smtp.domains.map(normalizeDomain),
    logger: deps.logger,
    ...(deps.loadAudio !== undefined ? { loadAudio: deps.loadAudio } : {}),
    ...(deps.encodeAudio !== undefined ? { encodeAudio: deps.encodeAudio } : {}),
  });
  const inbound = createSmtpIn({
    listen: smtp.listen,
    domains: smtp.domains,
    maxMessageBytes: smtp.maxMessageBytes,
    maxClients: smtp.maxClients,
    maxConnectionsPerSource: smtp.maxConnectionsPerSource,
    socketTimeoutMs: smtp.idleTimeoutMs,
    maxSessionMs: smtp.maxSessionMs,
    dataTimeoutMs: smtp.dataTimeoutMs,
    parser: smtp.parser,
    ...(config.smtpTls ? { tls: config.smtpTls } : {}),
    ...(smtp.hostname !== undefined ? { hostname: smtp.hostname } : {}),
    gateway: deps.gateway,
    logger: deps.logger,
    ...(deps.onThrottle !== undefined ? { onThrottle: deps.onThrottle } : {}),
  });
  return { adapter, inbound };
}

export interface Email extends System, EmailSystem {}

/** The email system's face: SMTP out as its adapter, SMTP in as its listener. */
export function create(opts: EmailOptions, deps: Parameters<typeof createEmail>[1]): Email {
  const { adapter, inbound } = createEmail(opts, deps);
  return {
    name: "email",
    adapter,
    inbound,
    adapters: [adapter],
    start: async () => ({ smtp: await inbound.start() }),
    stop: () => inbound.stop(),
  };
}

// SMTP in (RFC 5321, SIZE per RFC 1870): our server behind the operator's MTA. It takes mail for
// our domains only, parses it and acknowledges with 250 only once the gateway has it durable.

import type { Logger } from "pino";
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerDataStream,
  type SMTPServerEnvelope,
  type SMTPServerSession,
} from "smtp-server";
import type { Gateway } from "../../core/ports.ts";
import { readBounded } from "./bounded-read.ts";
import { buildDrafts } from "./drafts.ts";
import { createMailParser, type MailParserOptions } from "./parser-pool.ts";
import { type AcceptedRecipient, createRecipientPolicy, normalizeDomain } from "./recipients.ts";
import { createSmtpLimits } from "./smtp-limits.ts";
import { REPLIES } from "./smtp-reply.ts";

export interface SmtpInOptions {
  listen: { host: string; port: number };
  /** Mail is accepted only for these domains. */
  domains: string[];
  maxMessageBytes: number;
  /** Name in the greeting and in made-up Message-IDs; defaults to the first domain. */
  hostname?: string;
  /** More recipients in one transaction get 452 (RFC 5321 §4.5.3.1.8 asks for at least 100). */
  maxRecipients?: number;
  maxClients?: number;
  /** Sessions open at once from one source address (default 20). */
  maxConnectionsPerSource?: number;
  /** Idle time before a client is dropped (default 60 s). */
  socketTimeoutMs?: number;
  /** Longest a whole session may last, NOOPs or not; 0 = no limit (default 10 min). */
  maxSessionMs?: number;
  /** Longest the message after DATA may take to arrive (default 5 min). */
  dataTimeoutMs?: number;
  /** On stop, how long open sessions are given to finish (default 30 s). */
  closeTimeoutMs?: number;
  /** MIME parsing and HTML-to-text in worker threads, with their limits and time budget. */
  parser?: Omit<MailParserOptions, "logger">;
  /** Called each time a limit refuses or ends a session (for metrics). */
  onThrottle?: (reason: "per-source" | "session-time" | "data-timeout") => void;
  /**
   * STARTTLS (RFC 3207) with this certificate; `require` refuses mail from a session that has
   * not started it. Without it STARTTLS is not offered.
   */
  tls?: { cert: string; key: string; require: boolean };
  gateway: Gateway;
  logger: Logger;
}

export interface SmtpInServer {
  /** Listens; resolves with the bound address (port 0 picks a free one). */
  start(): Promise<{ host: string; port: number }>;
  /** Stops accepting, lets messages in DATA finish, then closes every connection. */
  stop(): Promise<void>;
  /** Sessions open now. */
  connections(): number;
}

type Callback = (err?: Error | null) => void;

export function createSmtpIn(options: SmtpInOptions): SmtpInServer {
  const { gateway, maxMessageBytes } = options;
  const logger = options.logger.child({ component: "smtp-in" });
  const hostname = options.hostname ?? normalizeDomain(options.domains[0] ?? "localhost");
  const checkRecipient = createRecipientPolicy(options.domains, gateway);
  // smtp-server gives every transaction a new envelope object, so accepted recipients die with it.
  const accepted = new WeakMap<SMTPServerEnvelope, Map<string, AcceptedRecipient>>();
  const inFlight = new Set<Promise<void>>();
  /** Sessions whose message is being stored: never cut off before their reply. */
  const storing = new Set<string>();
  let stopping: Promise<void> | undefined;
  const parser = createMailParser({ ...options.parser, logger: options.logger });
  const dataTimeoutMs = options.dataTimeoutMs ?? 5 * 60_000;
  const limits = createSmtpLimits({
    maxConnectionsPerSource: options.maxConnectionsPerSource ?? 20,
    maxSessionMs: options.maxSessionMs ?? 10 * 60_000,
    busy: (id) => storing.has(id),
    end: (id, text) => {
      options.onThrottle?.("session-time");
      endSession(id, text);
    },
    onRefused: (source, open) => {
      options.onThrottle?.("per-source");
      logger.warn({ source, open }, "smtp connection refused: too many from this source");
    },
  });

  function endSession(id: string, text: string): void {
    for (const connection of server.connections as Set<SmtpConnection>) {
      if (connection.id !== id) continue;
      logger.info({ session: id, reason: text }, "smtp session ended");
      connection.send(421, text);
      connection.close();
    }
  }

  async function onRcptTo(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const check = await checkRecipient(address.address);
    if (!check.ok) {
      logger.info(
        { session: session.id, rcpt: address.address, reply: check.reply.responseCode },
        "recipient refused",
      );
      throw check.reply;
    }
    let map = accepted.get(session.envelope);
    if (!map) {
      map = new Map();
      accepted.set(session.envelope, map);
    }
    map.set(check.recipient.email, check.recipient);
  }

  async function onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    // A message trickled in a byte at a time never trips the idle timeout; this bounds it.
    const dataTimer = setTimeout(() => {
      options.onThrottle?.("data-timeout");
      endSession(session.id, "4.4.2 timeout waiting for the end of the message");
    }, dataTimeoutMs);
    let read: Awaited<ReturnType<typeof readBounded>>;
    try {
      read = await readBounded(stream, maxMessageBytes);
    } finally {
      clearTimeout(dataTimer);
    }
    const { buffer, bytes, overflow } = read;
    if (overflow || stream.sizeExceeded) {
      logger.info({ session: session.id, bytes, limit: maxMessageBytes }, "message too big");
      throw REPLIES.tooBig(maxMessageBytes);
    }
    const byEmail = accepted.get(session.envelope);
    const recipients = session.envelope.rcptTo
      .map((r) => byEmail?.get(r.address.toLowerCase()))
      .filter((r): r is AcceptedRecipient => r !== undefined);
    if (recipients.length === 0) throw REPLIES.tryLater();
    storing.add(session.id);
    // Never rejects: what cannot be parsed in its budget comes back as text with a warning.
    const mail = await parser.parse(buffer);
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
    const drafts = buildDrafts(mail, recipients, { mailFrom, hostname });
    // Wait for every recipient before answering: a 250 promises all of them are durable.
    const results = await Promise.allSettled(drafts.map((d) => gateway.receive(d)));
    const failed = results.filter((r) => r.status === "rejected");
    if (failed.length > 0) {
      logger.error(
        { session: session.id, err: failed[0]?.reason, failed: failed.length, of: drafts.length },
        "gateway did not take the message; asking the sender to retry",
      );
      throw REPLIES.tryLater();
    }
    logger.info(
      { session: session.id, bytes, recipients: recipients.length, warnings: mail.warnings.length },
      "message accepted",
    );
  }

  const server = new SMTPServer({
    name: hostname,
    banner: "omnivox",
    size: maxMessageBytes,
    authOptional: true,
    // No credentials to check (the operator's MTA is in front); STARTTLS when a certificate is.
    disabledCommands: options.tls ? ["AUTH"] : ["AUTH", "STARTTLS"],
    ...(options.tls ? { secure: false, cert: options.tls.cert, key: options.tls.key } : {}),
    onMailFrom(_address, session, callback: Callback) {
      callback(options.tls?.require && !session.secure ? REPLIES.tlsFirst() : null);
    },
    disableReverseLookup: true,
    maxRecipients: options.maxRecipients ?? 100,
    maxClients: options.maxClients ?? 200,
    socketTimeout: options.socketTimeoutMs ?? 60_000,
    closeTimeout: options.closeTimeoutMs ?? 30_000,
    logger: false,
    onConnect(session, callback: Callback) {
      callback(limits.onConnect(session) ?? null);
    },
    onClose(session) {
      limits.onClose(session);
    },
    onRcptTo(address, session, callback: Callback) {
      onRcptTo(address, session).then(
        () => callback(),
        (err: unknown) => callback(asReply(err, logger, session)),
      );
    },
    onData(stream, session, callback: Callback) {
      const job = onData(stream, session).then(
        () => callback(),
        (err: unknown) => {
          // The stream must be read to its end before smtp-server sends our reply.
          stream.resume();
          callback(asReply(err, logger, session));
        },
      );
      inFlight.add(job);
      void job.finally(() => {
        inFlight.delete(job);
        storing.delete(session.id);
        // The reply goes out first; a session whose time ran out meanwhile ends after it.
        setImmediate(() => limits.idle(session.id));
      });
    },
  });
  server.on("error", (err) => logger.warn({ err }, "smtp connection error"));

  return {
    connections: () => server.connections.size,
    start() {
      // No parser thread until the first mail: idle threads slow the SIP path (media/worker-pool.ts).
      return new Promise((resolve, reject) => {
        server.server.once("error", reject);
        server.listen(options.listen.port, options.listen.host, () => {
          server.server.off("error", reject);
          const addr = server.server.address();
          const bound =
            addr && typeof addr === "object"
              ? { host: addr.address, port: addr.port }
              : { host: options.listen.host, port: options.listen.port };
          logger.info(bound, "smtp listening");
          resolve(bound);
        });
      });
    },
    stop() {
      stopping ??= (async () => {
        if (!server.server.listening) return;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.allSettled([...inFlight]);
        // Let smtp-server write the final reply of each finished DATA before hanging up.
        await new Promise((resolve) => setImmediate(resolve));
        for (const connection of server.connections) {
          connection.send(421, "4.3.2 service shutting down");
          connection.close();
        }
        await closed;
        limits.close();
        await parser.close();
      })();
      return stopping;
    },
  };
}

/** The part of smtp-server's connection object (not in its types) used to end a session. */
interface SmtpConnection {
  id: string;
  send(code: number, text: string): void;
  close(): void;
}

/** Hook failures that are not replies of ours are faults on our side: the sender retries later. */
function asReply(err: unknown, logger: Logger, session: SMTPServerSession): Error {
  if (err instanceof Error && "responseCode" in err) return err;
  logger.error({ session: session.id, err }, "smtp hook failed");
  return REPLIES.tryLater();
}

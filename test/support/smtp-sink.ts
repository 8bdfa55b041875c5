// A real SMTP server standing in for the operator's relay (RFC 5321): it keeps what it receives,
// parsed, so tests can assert on envelopes, headers and bodies, and refuses RCPT or DATA with the
// reply a test sets; optionally a smarthost that requires STARTTLS and AUTH, as Postfix
// submission or Microsoft 365 do. Built on smtp-server + mailparser.

import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { readBounded } from "../../src/adapters/email/bounded-read.ts";
import { smtpReply } from "../../src/adapters/email/smtp-reply.ts";

export interface SinkMail {
  from: string;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
  /** Whether the session had started TLS, and who it authenticated as. */
  secure: boolean;
  user?: string;
}

export interface SmtpSinkOptions {
  /** Offer STARTTLS with this certificate and refuse MAIL FROM before it (RFC 3207 §4). */
  tls?: { cert: string; key: string };
  /** Require AUTH PLAIN or LOGIN with these credentials (RFC 4954). */
  auth?: { username: string; password: string };
}

/** A reply the sink gives instead of accepting, e.g. `{ code: 550, text: "5.1.1 mailbox unknown" }`. */
export interface SinkRefusal {
  code: number;
  text: string;
}

export interface SmtpSink {
  port: number;
  mails: SinkMail[];
  /** Resolves when `count` mails have arrived in total. */
  waitFor(count: number, timeoutMs?: number): Promise<SinkMail[]>;
  /** Refuse every RCPT TO with this reply; undefined to accept again. */
  refuseRcpt(reply: SinkRefusal | undefined): void;
  /** Refuse every message at the end of DATA with this reply; undefined to accept again. */
  refuseData(reply: SinkRefusal | undefined): void;
  /** Make the next mails fail at DATA with this SMTP code (e.g. 451, 550); undefined to accept again. */
  failWith(code: number | undefined): void;
  /** Forget the mails received and accept everything again. */
  reset(): void;
  close(): Promise<void>;
}

/** Larger than any mail a test sends; a bound so a runaway client cannot fill memory. */
const MAX_MAIL_BYTES = 4 << 20;

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const mails: SinkMail[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let rcptRefusal: SinkRefusal | undefined;
  let dataRefusal: SinkRefusal | undefined;
  const { tls, auth } = options;
  const server = new SMTPServer({
    authOptional: auth === undefined,
    disabledCommands: [...(auth ? [] : ["AUTH"]), ...(tls ? [] : ["STARTTLS"])],
    ...(tls ? { secure: false, cert: tls.cert, key: tls.key } : {}),
    ...(auth ? { authMethods: ["PLAIN", "LOGIN"] } : {}),
    disableReverseLookup: true,
    logger: false,
    onAuth(credentials, _session, callback) {
      const ok =
        auth !== undefined &&
        credentials.username === auth.username &&
        credentials.password === auth.password;
      if (ok) callback(null, { user: credentials.username });
      else callback(smtpReply(535, "5.7.8 authentication credentials invalid"));
    },
    onMailFrom(_address, session, callback) {
      if (tls && !session.secure)
        return callback(smtpReply(530, "5.7.0 must issue a STARTTLS command first"));
      callback();
    },
    onRcptTo(_address, _session, callback) {
      callback(rcptRefusal ? smtpReply(rcptRefusal.code, rcptRefusal.text) : null);
    },
    onData(stream, session, callback) {
      readBounded(stream, MAX_MAIL_BYTES).then(async ({ buffer }) => {
        if (dataRefusal) return callback(smtpReply(dataRefusal.code, dataRefusal.text));
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: buffer,
          parsed: await simpleParser(buffer),
          secure: session.secure,
          ...(typeof session.user === "string" ? { user: session.user } : {}),
        });
        for (const w of [...waiters]) {
          if (mails.length >= w.count) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
        }
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    mails,
    refuseRcpt(reply) {
      rcptRefusal = reply;
    },
    refuseData(reply) {
      dataRefusal = reply;
    },
    failWith(code) {
      dataRefusal = code === undefined ? undefined : { code, text: `sink refuses with ${code}` };
    },
    reset() {
      mails.length = 0;
      rcptRefusal = undefined;
      dataRefusal = undefined;
    },
    waitFor(count, timeoutMs = 15_000) {
      if (mails.length >= count) return Promise.resolve(mails);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`sink got ${mails.length} of ${count} mails`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(mails);
          },
        });
      });
    },
    close() {
      // Open client connections would hold server.close() until they time out.
      for (const c of server.connections) c.close();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

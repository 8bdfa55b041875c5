// Test support: a relay stand-in for SMTP-out tests. It records the mails it is given (parsed by
// mailparser), or refuses at RCPT or DATA with the reply a test sets.

import assert from "node:assert/strict";
import type { ParsedMail } from "mailparser";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { readBounded } from "./bounded-read.ts";
import { smtpReply } from "./smtp-reply.ts";

/** A relay stand-in: records what it is given, or refuses with the reply a test sets. */
export class Sink {
  readonly mails: { envelope: { from: string; to: string[] }; parsed: ParsedMail }[] = [];
  rcptReply: { code: number; text: string } | undefined;
  dataReply: { code: number; text: string } | undefined;
  readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    disableReverseLookup: true,
    logger: false,
    onRcptTo: (_address, _session, callback) => {
      callback(this.rcptReply ? smtpReply(this.rcptReply.code, this.rcptReply.text) : null);
    },
    onData: (stream, session, callback) => {
      readBounded(stream, 4 << 20).then(async ({ buffer }) => {
        if (this.dataReply) return callback(smtpReply(this.dataReply.code, this.dataReply.text));
        this.mails.push({
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          parsed: await simpleParser(buffer),
        });
        callback();
      }, callback);
    },
  });

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const addr = this.server.server.address();
    assert.ok(addr && typeof addr === "object");
    return addr.port;
  }

  stop(): Promise<void> {
    for (const c of this.server.connections) c.close();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

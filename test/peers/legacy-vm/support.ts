// Support for the legacy voicemail tests: an MwiSink that keeps every report in order, a pino
// logger whose lines are kept (to count "one log line each" for bad input), and polling waits
// (a condition checked until a generous deadline — never a timing assertion).

import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import type { MwiReport } from "../../../src/core/mwi.ts";
import type { MwiSink } from "../../../src/core/ports.ts";
import { until } from "../../support/until.ts";

export interface Recorded {
  userId: string;
  systemId: string;
  report: MwiReport;
}

export class RecordingSink implements MwiSink {
  readonly reports: Recorded[] = [];

  async report(userId: string, systemId: string, report: MwiReport): Promise<void> {
    this.reports.push({ userId, systemId, report });
  }

  /** Reports for one system, oldest first. */
  of(userId: string, systemId: string): MwiReport[] {
    return this.reports
      .filter((r) => r.userId === userId && r.systemId === systemId)
      .map((r) => r.report);
  }

  /** The last report for the system once `count` have come. */
  async nth(userId: string, systemId: string, count: number): Promise<MwiReport> {
    await until(`report #${count}`, () => this.of(userId, systemId).length >= count);
    return this.of(userId, systemId)[count - 1]!;
  }
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger at debug level whose parsed lines land in `lines`. */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString("utf8").split("\n")) {
        if (text.trim()) lines.push(JSON.parse(text) as LogLine);
      }
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

/** Lets timers and sockets run for a while (to show that something does NOT happen). */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

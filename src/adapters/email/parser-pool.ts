// Received mail is parsed (parse-worker.ts) in a worker pool (media/worker-pool.ts) with a time
// budget: a message whose parsing or HTML conversion runs over it has its thread terminated and
// is stored as plain text with a warning, so no message can stall the event loop or be refused
// for it (docs/architecture.md "Bad input and faults", "Performance"). parse() never rejects.
// A small message with neither MIME parts nor HTML is parsed here instead: the hand-over to a
// thread cost about as much CPU as its parsing, and what such a message can cost is bounded by
// its size (docs/performance.md "Small mail parsed in place").

import { availableParallelism } from "node:os";
import type { Logger } from "pino";
import { createWorkerPool, type JobOutcome } from "../../media/worker-pool.ts";
import {
  DEFAULT_HTML_LIMITS,
  type HtmlLimits,
  type InboundMail,
  parseMime,
  rawFallback,
} from "./parse-mail.ts";

export interface MailParserOptions extends Partial<HtmlLimits> {
  /** Threads; default two, or one on a single core. */
  workers?: number;
  /** Longest a message may take to parse and convert, from the moment a thread takes it. */
  budgetMs?: number;
  /** Heap cap of each thread (V8 old generation): a message that needs more is cut off too. */
  workerMemoryMb?: number;
  logger: Logger;
}

export interface MailParser {
  parse(raw: Buffer): Promise<InboundMail>;
  /** Parser threads alive (loading or ready); for tests and metrics. */
  threads(): number;
  /** Warms the threads up so the first message does not wait for one to load. */
  start(): void;
  close(): Promise<void>;
}

export const DEFAULT_PARSE_BUDGET_MS = 5000;

/**
 * Largest message parsed in place. mailparser's cost grows with the size and with the number of
 * MIME parts (16 KiB of nested parts took 37 ms here, 16 KiB of headers 7 ms): 4 KiB without parts
 * stays near 2 ms at worst, and a usual short mail takes about 0.2 ms.
 */
export const INLINE_PARSE_MAX_BYTES = 4096;

/** Neither parts nor HTML anywhere in it (a coarse look: a false "yes" only sends it to a thread). */
function plainAndSmall(raw: Buffer): boolean {
  if (raw.length > INLINE_PARSE_MAX_BYTES) return false;
  const text = raw.toString("latin1");
  return !/multipart|text\/html|message\/rfc822/i.test(text);
}

/** What parse-worker.ts is started with. */
export interface ParserWorkerData extends HtmlLimits {
  budgetMs: number;
}
/** A job's input: the raw message. Its progress is the fallback described in parse-worker.ts. */
export type ParserInput = Uint8Array;
/** MIME parsed: what to store if the HTML conversion that follows runs late. */
export type ParserProgress = InboundMail;

export function createMailParser(options: MailParserOptions): MailParser {
  const budgetMs = options.budgetMs ?? DEFAULT_PARSE_BUDGET_MS;
  const data: ParserWorkerData = {
    maxHtmlBytes: options.maxHtmlBytes ?? DEFAULT_HTML_LIMITS.maxHtmlBytes,
    maxHtmlDepth: options.maxHtmlDepth ?? DEFAULT_HTML_LIMITS.maxHtmlDepth,
    budgetMs,
  };
  const logger = options.logger.child({ component: "mail-parser" });
  const pool = createWorkerPool<ParserInput, InboundMail, ParserProgress>({
    name: "mail-parser",
    entry: new URL("./parse-worker.ts", import.meta.url),
    data,
    size: options.workers ?? Math.min(2, availableParallelism()),
    budgetMs,
    memoryMb: options.workerMemoryMb ?? 512,
    logger: options.logger,
  });
  let closed = false;

  /** The message when its thread is gone: the stripped text if MIME was parsed, else raw text. */
  const settle = (raw: Buffer, outcome: JobOutcome<InboundMail, ParserProgress>): InboundMail => {
    if (outcome.ok) return outcome.value;
    const lost = (warning: string) => outcome.progress ?? rawFallback(raw, warning);
    switch (outcome.reason) {
      case "failed":
        logger.warn({ reason: outcome.message }, "mail parser failed; storing the message as text");
        return lost(`message stored as raw text: the parser failed (${outcome.message})`);
      case "budget":
        logger.warn(
          { bytes: raw.length, budgetMs, parsed: outcome.progress !== undefined },
          "mail over its parse budget; thread terminated, message stored as text",
        );
        return lost(`message stored as raw text: not parsed within ${budgetMs} ms`);
      case "stopped":
        return lost(`message stored as raw text: the parser ${outcome.message}`);
      case "unavailable":
        return rawFallback(raw, "message stored as raw text: no parser thread");
      case "closed":
        return lost("message stored as raw text: parser closed");
    }
  };

  return {
    async parse(raw) {
      if (closed) return rawFallback(raw, "message stored as raw text: parser closed");
      if (plainAndSmall(raw)) {
        const parsed = await parseMime(raw);
        // HTML after all (an odd Content-Type spelling): its conversion needs the budget.
        if (parsed.html === undefined) return parsed.mail;
      }
      const input = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      return settle(raw, await pool.run(input));
    },
    threads: () => pool.threads(),
    start: () => pool.start(),
    async close() {
      closed = true;
      await pool.close();
    },
  };
}

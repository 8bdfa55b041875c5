// A small pool of worker threads (node:worker_threads) that parse received mail (parse-worker.ts)
// with a time budget: a message whose parsing or HTML conversion runs over it has its thread
// terminated and is stored as plain text with a warning, so no message can stall the event loop
// or be refused for it (DESIGN §1.3, §6). parse() never rejects.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import {
  DEFAULT_HTML_LIMITS,
  type HtmlLimits,
  type InboundMail,
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
  /** Warms the threads up so the first message does not wait for one to load. */
  start(): void;
  close(): Promise<void>;
}

export const DEFAULT_PARSE_BUDGET_MS = 5000;

/** What parse-worker.ts is started with. */
export interface ParserWorkerData extends HtmlLimits {
  budgetMs: number;
}
export interface ToParser {
  id: number;
  raw: Uint8Array;
}
export type FromParser =
  | { type: "ready" }
  /** MIME parsed; `fallback` is what to store if the HTML conversion that follows runs late. */
  | { type: "parsed"; id: number; fallback: InboundMail }
  | { type: "done"; id: number; mail: InboundMail }
  | { type: "failed"; id: number; message: string };

/**
 * The thread loads parse-worker.ts through tsx registered inside it: `bin/omnivox.js` registers
 * tsx in-process, which a worker does not inherit (under `node --import tsx` it is registered
 * twice, which is harmless).
 */
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;
const BOOT_DATA = {
  tsx: import.meta.resolve("tsx/esm/api"),
  entry: new URL("./parse-worker.ts", import.meta.url).href,
};

interface Job {
  id: number;
  raw: Buffer;
  resolve: (mail: InboundMail) => void;
  fallback?: InboundMail;
  timer?: NodeJS.Timeout;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  job?: Job;
}

export function createMailParser(options: MailParserOptions): MailParser {
  const size = Math.max(1, options.workers ?? Math.min(2, availableParallelism()));
  const budgetMs = options.budgetMs ?? DEFAULT_PARSE_BUDGET_MS;
  const data: ParserWorkerData = {
    maxHtmlBytes: options.maxHtmlBytes ?? DEFAULT_HTML_LIMITS.maxHtmlBytes,
    maxHtmlDepth: options.maxHtmlDepth ?? DEFAULT_HTML_LIMITS.maxHtmlDepth,
    budgetMs,
  };
  const logger = options.logger.child({ component: "mail-parser" });
  const threads = new Set<Thread>();
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const finish = (job: Job, mail: InboundMail) => {
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    job.resolve(mail);
  };

  /** The message when its thread is gone: the stripped text if MIME was parsed, else raw text. */
  const lost = (job: Job, warning: string): InboundMail =>
    job.fallback ?? rawFallback(job.raw, warning);

  const spawn = (): Thread => {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { ...BOOT_DATA, ...data },
      resourceLimits: { maxOldGenerationSizeMb: options.workerMemoryMb ?? 512 },
    });
    worker.unref();
    const thread: Thread = { worker, ready: false };
    threads.add(thread);
    worker.on("message", (msg: FromParser) => {
      if (msg.type === "ready") {
        thread.ready = true;
        pump();
        return;
      }
      const job = thread.job;
      if (!job || job.id !== msg.id) return;
      if (msg.type === "parsed") {
        job.fallback = msg.fallback;
        return;
      }
      thread.job = undefined;
      if (msg.type === "done") finish(job, msg.mail);
      else {
        logger.warn({ reason: msg.message }, "mail parser failed; storing the message as text");
        finish(job, lost(job, `message stored as raw text: the parser failed (${msg.message})`));
      }
      pump();
    });
    const gone = (why: string) => {
      if (!threads.delete(thread)) return;
      const job = thread.job;
      thread.job = undefined;
      if (job) finish(job, lost(job, `message stored as raw text: the parser ${why}`));
      if (!thread.ready && !job) {
        // It never loaded: failing the queue beats spawning a thread per waiting message forever.
        logger.error({ why }, "mail parser thread did not start; storing waiting messages as text");
        for (const waiting of queue.splice(0))
          finish(waiting, rawFallback(waiting.raw, "message stored as raw text: no parser thread"));
      }
      pump();
    };
    worker.on("error", (err) => gone(`stopped (${err.message})`));
    worker.on("exit", (code) => gone(`exited (${code})`));
    return thread;
  };

  const run = (thread: Thread, job: Job) => {
    thread.job = job;
    job.timer = setTimeout(() => {
      logger.warn(
        { bytes: job.raw.length, budgetMs, parsed: job.fallback !== undefined },
        "mail over its parse budget; thread terminated, message stored as text",
      );
      threads.delete(thread);
      thread.job = undefined;
      void thread.worker.terminate();
      finish(job, lost(job, `message stored as raw text: not parsed within ${budgetMs} ms`));
      pump();
    }, budgetMs);
    const raw = new Uint8Array(job.raw.buffer, job.raw.byteOffset, job.raw.byteLength);
    thread.worker.postMessage({ id: job.id, raw } satisfies ToParser);
  };

  const pump = () => {
    if (closed) return;
    while (queue.length > 0) {
      const idle = [...threads].find((t) => t.ready && !t.job);
      if (idle) {
        run(idle, queue.shift() as Job);
        continue;
      }
      const loading = [...threads].filter((t) => !t.ready).length;
      // One thread loading per waiting message at most, and never more than the pool's size.
      if (threads.size < size && loading < queue.length) spawn();
      else return;
    }
  };

  return {
    parse(raw) {
      if (closed)
        return Promise.resolve(rawFallback(raw, "message stored as raw text: parser closed"));
      return new Promise<InboundMail>((resolve) => {
        queue.push({ id: nextId++, raw, resolve });
        pump();
      });
    },
    start() {
      while (!closed && threads.size < size) spawn();
    },
    async close() {
      closed = true;
      const all = [...threads];
      threads.clear();
      for (const thread of all) {
        if (thread.job)
          finish(thread.job, lost(thread.job, "message stored as raw text: parser closed"));
      }
      for (const job of queue.splice(0))
        finish(job, rawFallback(job.raw, "message stored as raw text: parser closed"));
      await Promise.all(all.map((t) => t.worker.terminate()));
    },
  };
}

// SMTP in → web client: messages/s and p50/p99 latency through a child omnivox (durable commit,
// routing, outbox, WebSocket, ack), beside the accept rate of a bare smtp-server sink that does
// nothing with the mail, driven by the same client load in the same run. The ratio is the figure.
// Both first take `warmUp` mails that are not counted, then the measured ones: a gateway runs
// warm for days, and the first thousand mails of a cold process measure mostly the JIT.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import type WebSocket from "ws";
import { spawnOmnivox, writeChildConfig } from "../test/support/child.ts";
import { connectWebClient } from "../test/support/web-client.ts";
import { percentile } from "./stats.ts";

const ADMIN = "bench-admin-token-0123456789";

export interface SmtpToWebResult {
  mails: number;
  warmUp: number;
  concurrency: number;
  omnivoxPerSec: number;
  sinkPerSec: number;
  ratio: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Sends `count` mails over `concurrency` pooled connections; resolves with elapsed ms. `mail`
 * names each one's recipient and subject (default alice, "bench i").
 */
export async function blast(
  port: number,
  count: number,
  concurrency: number,
  onSent?: (i: number) => void,
  mail: (i: number) => { to: string; subject: string } = (i) => ({
    to: "alice@example.com",
    subject: `bench ${i}`,
  }),
): Promise<number> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: concurrency,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      onSent?.(i);
      await transport.sendMail({
        from: "bob@example.net",
        ...mail(i),
        text: `Benchmark message ${i}: are you free for lunch at noon tomorrow?`,
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - start;
  transport.close();
  return elapsed;
}

/** When each mail was sent, and when its message event reached a web client. */
export class Arrivals {
  readonly #sentAt = new Map<string, number>();
  readonly #latencies: number[] = [];
  readonly #done: Promise<void>;
  #resolve: () => void = () => {};
  /** When the latest one arrived (performance.now()). */
  last = 0;

  constructor(private readonly expected: number) {
    this.#done = new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
  }

  sent(subject: string): void {
    this.#sentAt.set(subject, performance.now());
  }

  watch(socket: WebSocket): void {
    socket.on("message", (data) => {
      const e = JSON.parse(String(data)) as { type: string; subject?: string };
      if (e.type !== "message" || !e.subject) return;
      const t0 = this.#sentAt.get(e.subject);
      if (t0 === undefined) return;
      this.#sentAt.delete(e.subject);
      this.last = performance.now();
      this.#latencies.push(this.last - t0);
      if (this.#latencies.length === this.expected) this.#resolve();
    });
  }

  /** Resolves once every mail arrived; rejects after `timeoutMs` saying how many did. */
  all(timeoutMs = 120_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.#done,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`only ${this.#latencies.length} of ${this.expected} arrived`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  sorted(): number[] {
    return [...this.#latencies].sort((a, b) => a - b);
  }
}

async function sinkRate(count: number, concurrency: number, warmUp: number): Promise<number> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      stream.on("data", () => {});
      stream.on("end", () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  if (warmUp > 0) await blast(port, warmUp, concurrency);
  const ms = await blast(port, count, concurrency);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return (count * 1000) / ms;
}

export async function run(mails = 1000, concurrency = 8, warmUp = 1000): Promise<SmtpToWebResult> {
  const sinkPerSec = await sinkRate(mails, concurrency, warmUp);

  const dataDir = await mkdtemp(join(tmpdir(), "omnivox-bench-"));
  const configFile = await writeChildConfig(dataDir, ADMIN);
  const child = await spawnOmnivox(configFile, dataDir);
  try {
    const base = `http://127.0.0.1:${child.ports.http!.port}/api/v1`;
    const post = (path: string, body: unknown, token = ADMIN) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    await post("/users", { id: "alice", emails: ["alice@example.com"], password: "wonderland" });
    const { token } = (await (
      await post("/session", { user: "alice", password: "wonderland" }, "")
    ).json()) as {
      token: string;
    };
    const client = await connectWebClient(child.ports.http!.port, token);
    if (warmUp > 0) {
      const warm = new Arrivals(warmUp);
      warm.watch(client.socket);
      await blast(
        child.ports.smtp!.port,
        warmUp,
        concurrency,
        (i) => warm.sent(`warm ${i}`),
        (i) => ({
          to: "alice@example.com",
          subject: `warm ${i}`,
        }),
      );
      await warm.all();
    }
    const arrivals = new Arrivals(mails);
    arrivals.watch(client.socket);
    const start = performance.now();
    await blast(child.ports.smtp!.port, mails, concurrency, (i) => arrivals.sent(`bench ${i}`));
    await arrivals.all();
    await client.close();
    const omnivoxPerSec = (mails * 1000) / (arrivals.last - start);
    const latencies = arrivals.sorted();
    return {
      mails,
      warmUp,
      concurrency,
      omnivoxPerSec,
      sinkPerSec,
      ratio: omnivoxPerSec / sinkPerSec,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    child.process.kill("SIGTERM");
    await child.exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}

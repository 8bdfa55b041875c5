// The gateway's data path without the composition root, for tests that must control when the
// outbox runs: a real store, the receiver, the outbox worker (not started) and the real SMTP
// adapter sending to a real SMTP sink.

import { pino } from "pino";
import { EmailAdapter } from "../../src/adapters/email/smtp-out.ts";
import { AdapterRegistry } from "../../src/gateway/adapter-registry.ts";
import { defaultConverters } from "../../src/gateway/convert/registry.ts";
import { OutboxWorker } from "../../src/gateway/outbox-worker.ts";
import { Receiver } from "../../src/gateway/receiver.ts";
import type { Store } from "../../src/store/types.ts";
import { type SmtpSink, startSmtpSink } from "./smtp-sink.ts";
import type { OpenedTestStore, TestDialect } from "./store.ts";

export interface GatewayPipeline {
  receiver: Receiver;
  worker: OutboxWorker;
  sink: SmtpSink;
  stop(): Promise<void>;
}

export async function startGatewayPipeline(store: Store): Promise<GatewayPipeline> {
  const logger = pino({ level: "silent" });
  const sink = await startSmtpSink();
  const email = new EmailAdapter({
    host: "127.0.0.1",
    port: sink.port,
    secure: false,
    fromDomain: "example.com",
    logger,
    loadAudio: async (id) => (await store.audio.get(id))?.data,
  });
  await email.start();
  const worker = new OutboxWorker({
    store,
    adapters: new AdapterRegistry().register(email),
    converters: defaultConverters({
      audioLinks: { urlFor: (id) => `http://omnivox.test/api/v1/audio/${id}` },
    }),
    logger,
    options: {
      concurrency: 4,
      maxAttempts: 3,
      backoffBaseMs: 10,
      backoffMaxMs: 50,
      leaseMs: 60_000,
      holdMs: 60_000,
      pollMs: 20,
    },
  });
  const receiver = new Receiver({
    store,
    logger,
    holdMs: 60_000,
    onCommitted: () => worker.wake(),
  });
  return {
    receiver,
    worker,
    sink,
    async stop() {
      await worker.stop();
      await email.stop();
      await sink.close();
    },
  };
}

/** Runs `fn` on a fresh store of `dialect` with a pipeline over it, then tears both down. */
export async function withGatewayPipeline(
  dialect: TestDialect,
  fn: (t: OpenedTestStore, p: GatewayPipeline) => Promise<void>,
): Promise<void> {
  const t = await dialect.open();
  try {
    const p = await startGatewayPipeline(t.store);
    try {
      await fn(t, p);
    } finally {
      await p.stop();
    }
  } finally {
    await t.cleanup();
  }
}

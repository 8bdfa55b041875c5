// Test harness for the HTTP layer: a real server on 127.0.0.1 port 0 over an in-memory SQLite
// store, a recording fake gateway, and a log captured in memory (to prove secrets stay out).

import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { WebClientHub } from "../../src/adapters/web/hub.ts";
import type { ConfigInput } from "../../src/config/schema.ts";
import { configSchema } from "../../src/config/schema.ts";
import type { Communication } from "../../src/core/communication.ts";
import type { CommunicationDraft, Gateway } from "../../src/core/ports.ts";
import { MwiService } from "../../src/gateway/mwi-service.ts";
import type { HttpDeps } from "../../src/http/deps.ts";
import { createMetrics } from "../../src/http/metrics.ts";
import { buildHttpServer } from "../../src/http/server.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/types.ts";

export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
/** The server secret the test server keys its tokens and audio links with. */
export const SERVER_SECRET = "dGVzdC1zZXJ2ZXItc2VjcmV0LTAxMjM0NTY3ODlhYmM";

export class FakeGateway implements Gateway {
  readonly drafts: CommunicationDraft[] = [];
  fail: Error | undefined;

  async receive(draft: CommunicationDraft): Promise<Communication> {
    if (this.fail) throw this.fail;
    this.drafts.push(draft);
    const id = randomUUID();
    return {
      ...draft,
      id,
      userId: draft.userId ?? "nobody",
      thread: { threadId: id },
    } as Communication;
  }

  async resolveUser(): Promise<string | undefined> {
    return undefined;
  }
}

export interface TestServer {
  app: FastifyInstance;
  base: string;
  store: Store;
  hub: WebClientHub;
  gateway: FakeGateway;
  logs: string[];
  health: Record<string, boolean>;
  /** fetch against the server; `token` becomes the bearer header, `body` JSON. */
  call(method: string, path: string, opts?: { token?: string; body?: unknown }): Promise<Response>;
  /** Creates a user through the API with the admin token and opens a session for them. */
  userWithToken(id: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(
  over: {
    config?: ConfigInput;
    ackTimeoutMs?: number;
    heartbeatMs?: number;
    deps?: Pick<
      HttpDeps,
      "onMailboxChanged" | "audioLinks" | "sendClaimCode" | "onThrottle" | "storage"
    >;
  } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "omnivox-http-"));
  const store = await openStore({ database: ":memory:", dataDir });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: "debug" }, sink);
  const config = configSchema.parse({
    dataDir,
    ...over.config,
    http: { adminToken: ADMIN_TOKEN, ...over.config?.http },
  });
  const gateway = new FakeGateway();
  const hub = new WebClientHub({
    gateway,
    logger,
    ackTimeoutMs: over.ackTimeoutMs ?? 2000,
    heartbeatMs: over.heartbeatMs ?? 30_000,
    maxSocketsPerUser: config.http.maxWebSocketsPerUser,
    sendRate: { burst: config.messages.sendBurst, perMinute: config.messages.sendPerMinute },
  });
  const mwi = new MwiService({
    store,
    logger,
    sources: [],
    targets: [hub],
    indicatorTtlMs: 3600_000,
    retryMs: 60_000,
  });
  await mwi.start();
  hub.onAvailable((address) => mwi.clientAvailable(address));
  const metrics = createMetrics({ outbox: store.outbox, logger, processMetrics: false });
  const health: Record<string, boolean> = { store: true };
  const app = await buildHttpServer({
    config,
    serverSecret: SERVER_SECRET,
    store,
    logger,
    gateway,
    webClients: hub,
    metrics: metrics.registry,
    health: async () => ({ ...health }),
    mwi,
    ...over.deps,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  const base = `http://127.0.0.1:${address.port}`;

  const call: TestServer["call"] = (method, path, opts = {}) => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    return fetch(base + path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  };

  return {
    app,
    base,
    store,
    hub,
    gateway,
    logs,
    health,
    call,
    async userWithToken(id, password = `pw-${id}-secret`) {
      const created = await call("POST", "/api/v1/users", {
        token: ADMIN_TOKEN,
        body: { id, password },
      });
      if (created.status !== 201)
        throw new Error(`create ${id}: ${created.status} ${await created.text()}`);
      const session = await call("POST", "/api/v1/session", { body: { user: id, password } });
      const { token } = (await session.json()) as { token: string };
      return token;
    },
    async close() {
      await mwi.stop();
      hub.close();
      await app.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

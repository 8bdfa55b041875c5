// The HTTP server (README "The outside contract"): fastify 5 with one encapsulated plugin per
// resource, the REST API and WebSocket stream under /api/v1, /healthz and /metrics at the root, one
// error handler.

import websocket from "@fastify/websocket";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import Fastify, { LogController } from "fastify";
import { Gauge } from "prom-client";
import { ConfigError } from "../core/errors.ts";
import { encodeCompressed } from "../media/compressed.ts";
import { AudioUrlSigner } from "./audio-urls.ts";
import { Authenticator } from "./auth.ts";
import { capConnectionsPerSource } from "./connection-cap.ts";
import type { HttpDeps, RouteContext } from "./deps.ts";
import { installErrorHandlers } from "./error-handler.ts";
import { collectRoutes } from "./openapi.ts";
import { Recordings } from "./recordings.ts";
import { audioRoutes } from "./routes/audio.ts";
import { callsRoutes } from "./routes/calls.ts";
import { claimsRoutes } from "./routes/claims.ts";
import { communicationsRoutes } from "./routes/communications.ts";
import { healthRoutes } from "./routes/health.ts";
import { messagesRoutes } from "./routes/messages.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { mwiRoutes } from "./routes/mwi.ts";
import { openapiRoutes } from "./routes/openapi.ts";
import { sessionRoutes } from "./routes/session.ts";
import { sessionsRoutes } from "./routes/sessions.ts";
import { streamRoutes } from "./routes/stream.ts";
import { usersRoutes } from "./routes/users.ts";
import { voicemailRoutes } from "./routes/voicemail.ts";
import { webRoutes } from "./routes/web.ts";

/** JSON bodies are profiles and short messages; audio never comes in through a JSON body. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Larger WebSocket messages close the connection with 1009 (RFC 6455 §7.4.1). */
export const WS_MAX_FRAME_BYTES = 64 * 1024;

export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const { http } = deps.config;
  const adminToken = http.adminToken;
  if (!adminToken) throw new ConfigError("http.adminToken (or OMNIVOX_ADMIN_TOKEN) must be set");
  const auth = new Authenticator({
    adminToken,
    serverSecret: deps.serverSecret,
    sessionTtlMs: http.sessionTtlMs,
    users: deps.store.users,
    sessions: deps.store.sessions,
    loginThrottle: deps.config.http.loginThrottle,
  });

  // Throttled login sources and accounts, read at scrape time (docs/security.md).
  new Gauge<"kind">({
    name: "omnivox_login_throttled",
    help: "Source addresses and accounts banned from POST /session now",
    labelNames: ["kind"],
    registers: [deps.metrics],
    collect() {
      const { sources, accounts } = auth.throttled();
      this.set({ kind: "source" }, sources);
      this.set({ kind: "account" }, accounts);
    },
  });

  // Typed as fastify's logger so the instance is the plain FastifyInstance route plugins expect.
  const logger: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // Fastify's own request log prints the URL, and `?token=` would land in the log: ours redacts.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: true,
    // Slow clients (docs/security.md "Connection limits"): fastify's defaults never time out a
    // request body. Node checks these every connectionsCheckingInterval, so keep it short.
    connectionTimeout: http.connectionTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: {
      headersTimeout: http.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, http.headersTimeoutMs),
    },
  });

  capConnectionsPerSource(app.server, http.maxConnectionsPerSource, deps.logger, () =>
    deps.onThrottle?.("per-source"),
  );
  // Node reports a request whose headers or body came too slowly (408) as a client error.
  app.server.on("clientError", (err: NodeJS.ErrnoException) => {
    if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") deps.onThrottle?.("request-timeout");
  });
  installErrorHandlers(app);
  app.addHook("onResponse", async (request, reply) => {
    // Scrapes and probes every few seconds would drown the rest at info.
    const level = request.url === "/metrics" || request.url === "/healthz" ? "debug" : "info";
    request.log[level](
      {
        method: request.method,
        url: redactUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      "request",
    );
  });

  await app.register(websocket, { options: { maxPayload: WS_MAX_FRAME_BYTES } });

  // Before any route: the OpenAPI document is built from every one registered under /api/v1.
  const apiRoutes = collectRoutes(app, "/api/v1");
  const recordings = new Recordings({
    load: (audioId) => deps.store.audio.get(audioId),
    encode: deps.audio?.encode ?? encodeCompressed,
  });
  const ctx: RouteContext = {
    deps,
    auth,
    audioUrls: new AudioUrlSigner(deps.serverSecret),
    recordings,
  };
  await app.register(healthRoutes, ctx);
  await app.register(metricsRoutes, ctx);
  await app.register(webRoutes);
  await app.register(
    async (api) => {
      await api.register(sessionRoutes, ctx);
      await api.register(usersRoutes, ctx);
      await api.register(sessionsRoutes, ctx);
      await api.register(claimsRoutes, ctx);
      await api.register(voicemailRoutes, ctx);
      await api.register(mwiRoutes, ctx);
      await api.register(audioRoutes, ctx);
      await api.register(communicationsRoutes, ctx);
      await api.register(messagesRoutes, ctx);
      await api.register(streamRoutes, ctx);
      await api.register(callsRoutes, ctx);
      await api.register(openapiRoutes, { routes: apiRoutes });
    },
    { prefix: "/api/v1" },
  );
  return app;
}

/** Query values of `token` and of audio link signatures never reach the log. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|sig)=)[^&#]*/gi, "$1[redacted]");
}

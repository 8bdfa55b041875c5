// The HTTP listener (README "The outside contract"): the REST API, the web clients' stream and the
// UI on `http.listen`, and the signed audio links in mail and chat, whose base is `http.publicUrl`
// or else this listener — known only once it has bound (port 0), so read when a link is made.

import type { FastifyInstance } from "fastify";
import { type Config, parseListen } from "../config/schema.ts";
import type { AudioLinks } from "../core/ports.ts";
import { AudioUrlSigner, baseUrlOf, createAudioLinks } from "../http/audio-urls.ts";
import type { HttpDeps } from "../http/deps.ts";
import type { OmnivoxMetrics } from "../http/metrics.ts";
import { buildHttpServer } from "../http/server.ts";

export interface HttpListener {
  readonly audioLinks: AudioLinks;
  /** Builds the server and binds it; resolves with where it listens. */
  listen(
    deps: Omit<HttpDeps, "audioLinks">,
    metrics: OmnivoxMetrics,
  ): Promise<{ http: FastifyInstance; bound: { host: string; port: number } }>;
}

export function httpListener(config: Config, serverSecret: string): HttpListener {
  const listen = parseListen(config.http.listen);
  let bound = listen;
  const audioLinks = createAudioLinks({
    signer: new AudioUrlSigner(serverSecret),
    baseUrl: () => baseUrlOf(config, bound),
    defaultTtlMs: config.http.audioUrlTtlMs,
  });
  return {
    audioLinks,
    async listen(deps, metrics) {
      const http = await buildHttpServer({ ...deps, audioLinks });
      await http.listen({ host: listen.host, port: listen.port });
      metrics.countConnections(
        "http",
        () =>
          new Promise<number>((resolve, reject) =>
            http.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
          ),
      );
      const address = http.server.address();
      bound = {
        host: listen.host,
        port: typeof address === "object" && address ? address.port : 0,
      };
      return { http, bound };
    },
  };
}

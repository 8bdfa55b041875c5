// Serves the browser client (README "Internet call waiting"): web/index.html at "/", and the bundle that
// scripts/build-web.mjs writes to web/dist/ at /app.js and /app.css, read from disk per request.

import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";

const WEB_DIR = new URL("../../../web/", import.meta.url);

/** Nothing inline and nothing from elsewhere; media from blob: (voicemail played from a fetch). */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const BUNDLE: Record<string, string> = {
  "/app.js": "text/javascript; charset=utf-8",
  "/app.css": "text/css; charset=utf-8",
};

export async function webRoutes(app: FastifyInstance): Promise<void> {
  const index = await readFile(new URL("index.html", WEB_DIR), "utf8");
  app.get("/", async (_request, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-cache")
      .header("content-security-policy", CSP)
      .header("x-content-type-options", "nosniff")
      .send(index),
  );
  for (const [path, type] of Object.entries(BUNDLE)) {
    app.get(path, async (_request, reply) => {
      const body = await readFile(new URL(`dist${path}`, WEB_DIR)).catch(() => undefined);
      if (!body) {
        return reply.code(503).type("text/plain; charset=utf-8").send(
          // The one step an operator can take: the bundle is built by npm install or this script.
          `the web client is not built: run "npm run build:web" (or npm install)\n`,
        );
      }
      return reply.type(type).header("cache-control", "no-cache").send(body);
    });
  }
}

// Serves the browser client from web/ at "/" (read once at start-up; the page is static).

import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";

const WEB_DIR = new URL("../../../web/", import.meta.url);

export async function webRoutes(app: FastifyInstance): Promise<void> {
  const index = await readFile(new URL("index.html", WEB_DIR), "utf8");
  app.get("/", async (_request, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-cache")
      .header(
        "content-security-policy",
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      )
      .send(index),
  );
}

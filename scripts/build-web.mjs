#!/usr/bin/env node
// Bundles the browser client (web/src/main.ts and styles.css) with esbuild into web/dist/app.js
// and app.css. Run by `prepare` (npm install), `prestart` with --if-stale, and the web UI tests.
// The client imports the server's wire schemas (src/http/schemas) and the core types and lists
// they name; a browser build refuses any Node built-in, so no server-only code slips in.
import { mkdir, mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const WEB = join(ROOT, "web");
/** Every folder the bundle reads from: the client and the server code it shares. */
const SOURCES = [join(WEB, "src"), join(ROOT, "src/http/schemas"), join(ROOT, "src/core")];
export const DIST = join(WEB, "dist");
const OUTPUTS = ["app.js", "app.css"];

async function newestSource(dir) {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? await newestSource(path) : (await stat(path)).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

/** True when an output is missing or older than a source (or this script). */
export async function isStale() {
  const sources = Math.max(
    ...(await Promise.all(SOURCES.map(newestSource))),
    (await stat(fileURLToPath(import.meta.url))).mtimeMs,
  );
  for (const name of OUTPUTS) {
    const built = await stat(join(DIST, name)).catch(() => undefined);
    if (!built || built.mtimeMs < sources) return true;
  }
  return false;
}

/**
 * Builds into a fresh directory, then renames each file into web/dist: parallel test files that
 * build at the same time never serve a half-written bundle.
 */
export async function buildWeb({ ifStale = false } = {}) {
  if (ifStale && !(await isStale())) return false;
  await mkdir(DIST, { recursive: true });
  const tmp = await mkdtemp(join(WEB, ".dist-"));
  try {
    await build({
      entryPoints: { app: join(WEB, "src/main.ts"), "app-style": join(WEB, "src/styles.css") },
      outdir: tmp,
      bundle: true,
      platform: "browser",
      format: "esm",
      target: ["es2022"],
      minify: true,
      sourcemap: false,
      legalComments: "none",
      logLevel: "warning",
    });
    await rename(join(tmp, "app.js"), join(DIST, "app.js"));
    await rename(join(tmp, "app-style.css"), join(DIST, "app.css"));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildWeb({ ifStale: process.argv.includes("--if-stale") });
  console.log(built ? `build-web: wrote ${DIST}/app.js and app.css` : "build-web: up to date");
}

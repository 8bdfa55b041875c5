// Finds the real peer programs the interop tests drive (README "Tests and real peers"). Locally a
// missing peer skips the test with the package to install; with OMNIVOX_REQUIRE_PEERS=1 (CI) it
// fails the run.

import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return undefined;
}

/**
 * Returns the binary's path, or a skip reason for node:test's `{ skip }` option. Throws when
 * peers are required, so CI never passes on a skipped interop test.
 */
export function peer(name: string, debianPackage: string): { path?: string; skip?: string } {
  const path = findBinary(name);
  return path ? { path } : missingPeer(name, debianPackage);
}

/** The skip reason for a program that is not there (or the throw, when peers are required). */
export function missingPeer(name: string, debianPackage: string): { skip: string } {
  const reason = `${name} not found: install the Debian package ${debianPackage} (scripts/install-peers.sh)`;
  if (process.env.OMNIVOX_REQUIRE_PEERS === "1")
    throw new Error(`required peer missing: ${reason}`);
  return { skip: reason };
}

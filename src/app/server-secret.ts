// The server secret: 32 random bytes kept in dataDir/server-secret (mode 0600), generated on first
// start. Every MAC, nonce and link key (session tokens, audio links, SIP digest nonces) is derived
// from it by HKDF (RFC 5869), so nothing an attacker sees on the wire lets them test guesses of
// the admin token offline, and rotating the admin token does not end sessions or links.

import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../core/errors.ts";

export const SERVER_SECRET_FILE = "server-secret";
/** base64url of 32 bytes. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export interface ServerSecret {
  secret: string;
  file: string;
  generated: boolean;
}

/**
 * Reads the secret, or creates it (exclusively, so two processes starting on one dataDir agree
 * on one secret). A file other users can read is narrowed to 0600; a damaged one stops start-up
 * rather than being replaced, since replacing it silently would end every session and link.
 */
export async function ensureServerSecret(dataDir: string): Promise<ServerSecret> {
  const file = join(dataDir, SERVER_SECRET_FILE);
  await mkdir(dataDir, { recursive: true });
  const generated = randomBytes(32).toString("base64url");
  try {
    await writeFile(file, `${generated}\n`, { mode: 0o600, flag: "wx" });
    return { secret: generated, file, generated: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const secret = (await readFile(file, "utf8")).trim();
  if (!SECRET.test(secret)) {
    throw new ConfigError(
      `${file} does not hold a server secret (43 base64url characters); delete it to generate a new one (this ends every session and audio link)`,
    );
  }
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return { secret, file, generated: false };
}

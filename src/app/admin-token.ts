// The admin token: from config or OMNIVOX_ADMIN_TOKEN, else generated once and kept in
// dataDir/admin-token (mode 0600) so that it survives restarts.

import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface AdminToken {
  token: string;
  /** Where the generated token is kept; absent when it came from configuration. */
  file?: string;
  generated: boolean;
}

export async function ensureAdminToken(
  configured: string | undefined,
  dataDir: string,
): Promise<AdminToken> {
  if (configured) return { token: configured, generated: false };
  const file = join(dataDir, "admin-token");
  try {
    const token = (await readFile(file, "utf8")).trim();
    if (token.length >= 16) return { token, file, generated: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const token = randomBytes(32).toString("base64url");
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return { token, file, generated: true };
}

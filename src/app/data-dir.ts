// What a start needs from dataDir before anything opens (README "Configuration"): the directory
// itself, the admin token (configured, or generated once and kept there) and the server secret,
// and the config as the rest of the start sees it — dataDir absolute, the admin token filled in.

import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { Config } from "../config/schema.ts";
import { type AdminToken, ensureAdminToken } from "./admin-token.ts";
import { ensureServerSecret } from "./server-secret.ts";

export interface PreparedDataDir {
  dataDir: string;
  admin: AdminToken;
  /** This node's own server secret (a cluster may agree on another: app/cluster.ts). */
  localSecret: string;
  effective: Config;
}

export async function prepareDataDir(config: Config): Promise<PreparedDataDir> {
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const admin = await ensureAdminToken(config.http.adminToken, dataDir);
  // Keys every MAC, nonce and link; never the admin token, which a nonce must not let anyone test.
  const { secret: localSecret } = await ensureServerSecret(dataDir);
  const effective: Config = {
    ...config,
    dataDir,
    http: { ...config.http, adminToken: admin.token },
  };
  return { dataDir, admin, localSecret, effective };
}

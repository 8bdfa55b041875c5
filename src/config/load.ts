// Reads the configuration: a YAML file (optional), then environment overrides, validated by the
// zod schema in one pass. A wrong or unknown key stops start-up with a message naming the key.

import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { type Config, type ConfigInput, configSchema } from "./schema.ts";

/** Environment variables that override config keys (documented in README and the example config). */
export const ENV_KEYS: Record<string, string[]> = {
  OMNIVOX_DATA_DIR: ["dataDir"],
  OMNIVOX_DATABASE: ["database"],
  OMNIVOX_LOG_LEVEL: ["log", "level"],
  OMNIVOX_HTTP_LISTEN: ["http", "listen"],
  OMNIVOX_ADMIN_TOKEN: ["http", "adminToken"],
  OMNIVOX_SMTP_LISTEN: ["smtp", "listen"],
  OMNIVOX_SIP_LISTEN: ["sip", "listen"],
  OMNIVOX_SMTP_OUT_HOST: ["smtpOut", "host"],
  OMNIVOX_SMTP_OUT_PORT: ["smtpOut", "port"],
  OMNIVOX_XMPP_SECRET: ["xmpp", "secret"],
};

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

export function formatIssues(source: string, issues: z.core.$ZodIssue[]): string {
  const lines = issues.map((issue) => {
    const path = issue.path.join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => `  ${path ? `${path}.` : ""}${k}: unknown key`).join("\n");
    }
    return `  ${path || "(top level)"}: ${issue.message}`;
  });
  return `invalid configuration in ${source}:\n${lines.join("\n")}`;
}

/** Validates a plain object (YAML already parsed) merged with the environment. */
export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = {},
  source = "configuration",
): Config {
  if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
    throw new ConfigError(
      `invalid configuration in ${source}: the top level must be a mapping of keys`,
    );
  }
  const input: Record<string, unknown> = structuredClone((raw ?? {}) as Record<string, unknown>);
  // A section whose keys are all commented out is null in YAML: it means "defaults".
  for (const [key, value] of Object.entries(input)) if (value === null) delete input[key];
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    setPath(input, path, path[1] === "port" ? Number(value) : value);
  }
  const result = configSchema.safeParse(input as ConfigInput);
  if (!result.success) throw new ConfigError(formatIssues(source, result.error.issues));
  return Object.freeze(result.data) as Config;
}

/** Loads `file` when given (it must exist), else runs on defaults plus environment. */
export async function loadConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Config> {
  if (!file) return parseConfig(undefined, env, "defaults");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read the configuration file ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${(err as Error).message}`);
  }
  return parseConfig(raw, env, file);
}

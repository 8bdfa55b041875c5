// Runs omnivox as a child process exactly as an operator does (`omnivox start --config FILE`),
// so a test can kill it with SIGKILL and start it again on the same data directory.

import { type ChildProcess, spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BoundPorts } from "../../src/app/ports-file.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

export interface OmnivoxChild {
  process: ChildProcess;
  ports: BoundPorts;
  exited: Promise<number | null>;
  output(): string;
}

/**
 * Writes `dataDir`/omnivox.yaml — the data directory, HTTP with `adminToken` and SMTP for
 * example.com on free ports, then `lines` (more top-level keys) — and returns its path.
 */
export async function writeChildConfig(
  dataDir: string,
  adminToken: string,
  lines: readonly string[] = [],
): Promise<string> {
  const configFile = join(dataDir, "omnivox.yaml");
  const config = [
    `dataDir: ${dataDir}`,
    `http: { listen: 127.0.0.1:0, adminToken: ${adminToken} }`,
    "smtp: { listen: 127.0.0.1:0, domains: [example.com] }",
    ...lines,
    "",
  ];
  await writeFile(configFile, config.join("\n"));
  return configFile;
}

export async function spawnOmnivox(
  configFile: string,
  dataDir: string,
  timeoutMs = 30_000,
): Promise<OmnivoxChild> {
  const portsFile = join(dataDir, "ports.json");
  await rm(portsFile, { force: true });
  const child = spawn(
    process.execPath,
    [
      // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the child a bench drives
      ...(process.env.OMNIVOX_CHILD_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      "--import",
      "tsx",
      join(ROOT, "src/cli/main.ts"),
      "start",
      "--config",
      configFile,
    ],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, OMNIVOX_LOG_LEVEL: process.env.OMNIVOX_TEST_LOG ?? "warn" },
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const ports = JSON.parse(await readFile(portsFile, "utf8")) as BoundPorts;
      return { process: child, ports, exited, output: () => output };
    } catch {}
    if (child.exitCode !== null || Date.now() > end) {
      child.kill("SIGKILL");
      throw new Error(`omnivox did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

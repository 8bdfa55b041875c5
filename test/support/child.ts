// Runs omnivox as a child process exactly as an operator does (`omnivox start --config FILE`),
// so a test can kill it with SIGKILL and start it again on the same data directory.

import { type ChildProcess, spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { BoundPorts } from "../../src/app/ports-file.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

export interface OmnivoxChild {
  process: ChildProcess;
  ports: BoundPorts;
  exited: Promise<number | null>;
  output(): string;
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

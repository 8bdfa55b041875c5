// Call set-ups per second driven by sipp (built-in uac: INVITE, 200, ACK, BYE) against a child
// omnivox answering every call with the voicemail deposit, beside the same load against sipp's
// own built-in uas in the same run (the limit of the load generator on this machine).

import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnOmnivox } from "../test/support/child.ts";
import { findBinary } from "../test/support/peers.ts";
import { freeUdpPort } from "../test/support/sipp.ts";

const ADMIN = "bench-admin-token-0123456789";

export interface SipSetupResult {
  calls: number;
  omnivoxPerSec: number;
  omnivoxFailed: number;
  sippUasPerSec: number;
  ratio: number;
}

interface Load {
  successful: number;
  failed: number;
  seconds: number;
}

function uac(
  sipp: string,
  target: string,
  service: string,
  calls: number,
  rate: number,
  cwd: string,
): Promise<Load> {
  return new Promise((resolve, reject) => {
    void freeUdpPort().then((port) => {
      const started = performance.now();
      const child = spawn(
        sipp,
        [
          target,
          "-sn",
          "uac",
          "-s",
          service,
          "-i",
          "127.0.0.1",
          "-p",
          String(port),
          "-r",
          String(rate),
          "-m",
          String(calls),
          "-l",
          String(calls),
          "-nostdin",
          "-timeout",
          "120s",
          "-max_recv_loops",
          "10000",
        ],
        { cwd, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        if (out.length > 1 << 20) out = out.slice(-(1 << 19));
      });
      child.on("error", reject);
      child.on("exit", () => {
        const seconds = (performance.now() - started) / 1000;
        const count = (label: string) => {
          const rows = [
            ...out.matchAll(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, "g")),
          ];
          return Number(rows.at(-1)?.[1] ?? 0);
        };
        resolve({ successful: count("Successful call"), failed: count("Failed call"), seconds });
      });
    });
  });
}

export async function run(calls = 3000, rate = 3000): Promise<SipSetupResult | undefined> {
  const sipp = findBinary("sipp");
  if (!sipp) return undefined;
  const dir = await mkdtemp(join(tmpdir(), "omnivox-sipbench-"));
  try {
    // Baseline: sipp against sipp.
    const uasPort = await freeUdpPort();
    const uas = spawn(sipp, ["-sn", "uas", "-i", "127.0.0.1", "-p", String(uasPort), "-nostdin"], {
      cwd: dir,
      stdio: "ignore",
    });
    await new Promise((r) => setTimeout(r, 500));
    const base = await uac(sipp, `127.0.0.1:${uasPort}`, "x", calls, rate, dir);
    uas.kill("SIGKILL");

    const configFile = join(dir, "omnivox.yaml");
    await writeFile(
      configFile,
      `dataDir: ${dir}\nlog: { level: warn }\nhttp: { listen: 127.0.0.1:0, adminToken: ${ADMIN} }\nsmtp: { listen: 127.0.0.1:0 }\nsip: { listen: 127.0.0.1:0, rtpPorts: 40000-49999 }\n`,
    );
    const child = await spawnOmnivox(configFile, dir);
    try {
      await fetch(`http://127.0.0.1:${child.ports.http!.port}/api/v1/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
        body: JSON.stringify({ id: "bench", phones: ["1000"] }),
      });
      const load = await uac(sipp, `127.0.0.1:${child.ports.sip!.port}`, "1000", calls, rate, dir);
      const omnivoxPerSec = load.successful / load.seconds;
      const sippUasPerSec = base.successful / base.seconds;
      return {
        calls,
        omnivoxPerSec,
        omnivoxFailed: load.failed,
        sippUasPerSec,
        ratio: omnivoxPerSec / sippUasPerSec,
      };
    } finally {
      child.process.kill("SIGTERM");
      await child.exited;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await run());

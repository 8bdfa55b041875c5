// Runs sipp (Debian package sip-tester) with a scenario from test/interop/sipp/ against a
// running omnivox, on free local ports, and returns its exit code and error log.

import { execFile } from "node:child_process";
import { createSocket } from "node:dgram";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeUlaw, encodeUlaw } from "../../src/media/g711.ts";
import { generateSweep } from "../../src/media/pcm.ts";

export const SCENARIOS = new URL("../interop/sipp/", import.meta.url).pathname;

/** A UDP port free right now (sipp needs explicit signalling and media ports). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface SippRun {
  code: number;
  output: string;
  errors: string;
}

export async function runSipp(
  bin: string,
  target: { host: string; port: number } | undefined,
  scenario: string,
  opts: {
    service: string;
    keys?: Record<string, string>;
    /** Replaced in the scenario text before sipp reads it (sipp's -key does not reach actions). */
    template?: Record<string, string>;
    calls?: number;
    timeoutS?: number;
    extra?: string[];
    workDir: string;
    /** Local SIP port (default: a free one); a UAS scenario listens here. */
    port?: number;
    /** Local address for signalling and media (default 127.0.0.1; 127.0.0.2 … for a second source). */
    localIp?: string;
  },
): Promise<SippRun> {
  let scenarioFile = join(SCENARIOS, scenario);
  if (opts.template) {
    let text = await readFile(scenarioFile, "utf8");
    for (const [k, v] of Object.entries(opts.template)) text = text.replaceAll(`{{${k}}}`, v);
    scenarioFile = join(opts.workDir, scenario);
    await writeFile(scenarioFile, text);
  }
  const port = opts.port ?? (await freeUdpPort());
  let mediaPort = await freeUdpPort();
  if (mediaPort % 2) mediaPort = (mediaPort + 2) & ~1;
  const args = [
    ...(target ? [`${target.host}:${target.port}`] : []),
    "-sf",
    scenarioFile,
    "-s",
    opts.service,
    "-i",
    opts.localIp ?? "127.0.0.1",
    "-p",
    String(port),
    "-mi",
    opts.localIp ?? "127.0.0.1",
    "-mp",
    String(mediaPort),
    "-m",
    String(opts.calls ?? 1),
    "-timeout",
    `${opts.timeoutS ?? 30}s`,
    "-timeout_error",
    "-nostdin",
    "-trace_err",
    "-error_file",
    join(opts.workDir, "sipp-errors.log"),
    ...Object.entries(opts.keys ?? {}).flatMap(([k, v]) => ["-key", k, v]),
    ...(opts.extra ?? []),
  ];
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      { cwd: opts.workDir, timeout: (opts.timeoutS ?? 30) * 1000 + 10_000, maxBuffer: 8 << 20 },
      async (err, stdout, stderr) => {
        const errors = await readFile(join(opts.workDir, "sipp-errors.log"), "utf8").catch(
          () => "",
        );
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}`, errors });
      },
    );
  });
}

/**
 * A caller's voice for deposit.xml: a sweep, distinctive at every lag, written as the raw µ-law
 * sipp streams. Returns the file and what a µ-law decoder hears of it.
 */
export async function callerAudio(
  dir: string,
  ms: number,
  name = "caller.ulaw",
): Promise<{ file: string; heard: Int16Array }> {
  const sent = generateSweep(300, 3000, ms, 8000, 0.5);
  const ulaw = new Uint8Array(sent.length);
  encodeUlaw(sent, ulaw);
  const file = join(dir, name);
  await writeFile(file, ulaw);
  const heard = new Int16Array(sent.length);
  decodeUlaw(ulaw, heard);
  return { file, heard };
}

/**
 * One voicemail left by sipp (deposit.xml): `caller` (default 15551234) calls `service` (default
 * 15550001, alice in most tests) and speaks `ms` of callerAudio. Resolves with what a µ-law
 * decoder hears of the audio sent; rejects with sipp's log when the call failed.
 */
export async function sippDeposit(
  bin: string,
  target: { host: string; port: number } | undefined,
  opts: { service?: string; caller?: string; ms: number; workDir: string },
): Promise<{ heard: Int16Array }> {
  const { file, heard } = await callerAudio(opts.workDir, opts.ms);
  const run = await runSipp(bin, target, "deposit.xml", {
    service: opts.service ?? "15550001",
    keys: { caller: opts.caller ?? "15551234" },
    template: { audio: file, audio_ms: String(opts.ms + 300) },
    workDir: opts.workDir,
  });
  if (run.code !== 0)
    throw new Error(`sipp failed (${run.code}):\n${run.errors}\n${run.output.slice(-2000)}`);
  return { heard };
}

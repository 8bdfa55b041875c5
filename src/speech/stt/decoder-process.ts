// One `pocketsphinx_continuous -infile /dev/stdin` decoder fed raw 16 kHz PCM, run as
// `sh -c 'cat | exec …'` because it cannot fopen() Node's socket stdin; killed as a process group.

import { spawn } from "node:child_process";
import { pcm16ToBytes } from "../../media/wav.ts";
import { SpeechEngineMissingError, SpeechFailedError } from "../errors.ts";
import { parsePocketsphinxOutput, pocketsphinxResult } from "./pocketsphinx-output.ts";
import type { SttResult } from "./types.ts";

/** Keeps this many ERROR/FATAL lines of the program's log for the failure message. */
const KEEP_ERROR_LINES = 8;

export interface DecoderProcess {
  /** The process group (sh, cat and the decoder), for diagnostics and tests. */
  readonly pid: number | undefined;
  /** Sends 16 kHz samples (copied, so the caller may reuse its buffer). */
  write(samples16k: Int16Array): void;
  /** Closes the input and resolves with the transcript once the program has exited. */
  finish(): Promise<SttResult>;
  /** Kills the program (and its pipe); finish() and `exited` reject with `reason`. */
  kill(reason: unknown): void;
  /** Settles when the program has exited, however that came about. */
  readonly exited: Promise<SttResult>;
}

export function startDecoder(binary: string, args: readonly string[]): DecoderProcess {
  const child = spawn("sh", ["-c", 'cat | exec "$@"', "sh", binary, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    detached: true, // its own process group, so kill(-pid) reaches sh, cat and the decoder
  });
  let stdout = "";
  let stderrPartial = "";
  const errorLines: string[] = [];
  let killedWith: { reason: unknown } | undefined;
  let running = true;

  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    const lines = (stderrPartial + chunk).split("\n");
    stderrPartial = lines.pop() ?? "";
    for (const line of lines) {
      if (/^(ERROR|FATAL|SYSTEM_ERROR)|not found/.test(line)) {
        errorLines.push(line.trim());
        if (errorLines.length > KEEP_ERROR_LINES) errorLines.shift();
      }
    }
  });
  // A decoder that died early makes our writes fail with EPIPE; its exit status says why.
  child.stdin.on("error", () => {});

  const exited = new Promise<SttResult>((resolve, reject) => {
    child.on("error", (err) => {
      running = false;
      reject(
        new SpeechEngineMissingError("pocketsphinx", "the Debian package dash (sh)", {
          cause: err,
        }),
      );
    });
    child.on("close", (code, signal) => {
      running = false;
      if (killedWith) return reject(killedWith.reason);
      if (code === 127) {
        return reject(
          new SpeechEngineMissingError("pocketsphinx", "the Debian package pocketsphinx"),
        );
      }
      if (code !== 0) {
        const why = errorLines.length > 0 ? `: ${errorLines.join(" | ")}` : "";
        const status = signal ? `signal ${signal}` : `status ${code}`;
        return reject(new SpeechFailedError(`pocketsphinx exited with ${status}${why}`));
      }
      try {
        resolve(pocketsphinxResult(parsePocketsphinxOutput(stdout)));
      } catch (err) {
        reject(new SpeechFailedError("pocketsphinx output could not be read", { cause: err }));
      }
    });
  });
  // Whoever holds the process may only look at `exited` through finish(); never leave it unhandled.
  exited.catch(() => {});

  return {
    pid: child.pid,
    exited,
    write(samples16k) {
      if (!running || killedWith || !child.stdin.writable) return;
      child.stdin.write(Buffer.from(pcm16ToBytes(samples16k)));
    },
    finish() {
      if (child.stdin.writable) child.stdin.end();
      return exited;
    },
    kill(reason) {
      if (!running || killedWith) return;
      killedWith = { reason };
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      child.stdin.destroy();
    },
  };
}

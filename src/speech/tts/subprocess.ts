// Runs a speech program (espeak-ng, flite) as a child process without a shell, feeding stdin and
// collecting stdout, and kills it when the caller's signal aborts (timeout or hang-up).

import { spawn } from "node:child_process";
import { SpeechEngineMissingError, SpeechFailedError } from "../errors.ts";

export interface RunOptions {
  /** Written to the child's stdin, which is then closed. */
  input?: string | Uint8Array;
  signal: AbortSignal;
  /** Stdout beyond this fails the run rather than filling memory. */
  maxOutputBytes?: number;
  /** Debian package that provides the program, for the missing-engine message. */
  debianPackage: string;
}

/** Resolves with stdout when the program exits 0; rejects with a speech error otherwise. */
export function runProgram(
  command: string,
  args: readonly string[],
  opts: RunOptions,
): Promise<Buffer> {
  const max = opts.maxOutputBytes ?? 64 * 1024 * 1024;
  return new Promise<Buffer>((resolve, reject) => {
    if (opts.signal.aborted) {
      reject(opts.signal.reason);
      return;
    }
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = "";
    let failure: unknown;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      opts.signal.removeEventListener("abort", onAbort);
      fn();
    };
    const stop = (reason: unknown) => {
      failure ??= reason;
      child.kill("SIGKILL");
    };
    const onAbort = () => stop(opts.signal.reason);
    opts.signal.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > max) stop(new SpeechFailedError(`${command}: output exceeds ${max} bytes`));
      else out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      // Only the end matters for the error message; keep it bounded.
      stderr = (stderr + chunk.toString("utf8")).slice(-2000);
    });
    // A child that dies early closes its stdin: that EPIPE is reported through "close" instead.
    child.stdin.on("error", () => {});
    child.on("error", (err: NodeJS.ErrnoException) => {
      failure ??=
        err.code === "ENOENT"
          ? new SpeechEngineMissingError(command, `the Debian package ${opts.debianPackage}`, {
              cause: err,
            })
          : new SpeechFailedError(`${command}: ${err.message}`, { cause: err });
      // A program that never started emits no reliable "close".
      if (child.pid === undefined) finish(() => reject(failure));
    });
    child.on("close", (code, sig) =>
      finish(() => {
        if (failure !== undefined) reject(failure);
        else if (code === 0) resolve(Buffer.concat(out));
        else {
          const why = code === null ? `killed by ${sig}` : `exited with ${code}`;
          reject(new SpeechFailedError(`${command} ${why}: ${stderr.trim() || "(no stderr)"}`));
        }
      }),
    );
    child.stdin.end(opts.input ?? "");
  });
}

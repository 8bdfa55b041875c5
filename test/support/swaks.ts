// Runs swaks (Debian package swaks), a real SMTP client, and returns its exit code and transcript.

import { execFile } from "node:child_process";

export interface SwaksResult {
  code: number;
  output: string;
}

export function swaks(path: string, port: number, args: string[]): Promise<SwaksResult> {
  return new Promise((resolve) => {
    execFile(
      path,
      ["--server", `127.0.0.1:${port}`, "--timeout", "20", "--hide-informational", ...args],
      { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err && typeof err.code === "number" ? err.code : err ? 1 : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/**
 * The last SMTP reply code swaks printed (lines like "<-  250 Ok" or "<** 550 …"), not counting
 * the 221 that answers its closing QUIT.
 */
export function lastReply(output: string): number | undefined {
  const codes = [...output.matchAll(/^<(?:-|~|\*\*)\s+(\d{3})[ -]/gm)]
    .map((m) => Number(m[1]))
    .filter((c) => c !== 221);
  return codes[codes.length - 1];
}

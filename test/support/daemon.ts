// A peer server a test runs as a child process (Prosody, Dovecot): free ports on 127.0.0.1 for
// its listeners, started in the foreground and awaited until every port accepts, stopped with
// SIGTERM (SIGKILL after 3 s), its console output kept for failure messages.

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { connect, createServer, type Server } from "node:net";

/** Free TCP ports on 127.0.0.1: all are held open together, then released. */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer();
    s.listen(0, "127.0.0.1");
    await once(s, "listening");
    servers.push(s);
  }
  const ports = servers.map((s) => {
    const a = s.address();
    if (!a || typeof a === "string") throw new Error("no port");
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export class Daemon {
  #child: ChildProcess | undefined;
  #output = "";

  constructor(
    readonly name: string,
    readonly binary: string,
    readonly args: readonly string[],
    /** The ports it listens on: it runs once all of them accept. */
    readonly ports: readonly number[],
    /** What to show when it does not start (its log file, say). */
    private readonly describe: () => Promise<string>,
  ) {}

  /** The console output so far. */
  output(): string {
    return this.#output;
  }

  async start(timeoutMs = 15_000): Promise<void> {
    const child = spawn(this.binary, [...this.args], { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    child.stdout?.on("data", (d) => {
      this.#output += d;
    });
    child.stderr?.on("data", (d) => {
      this.#output += d;
    });
    const end = Date.now() + timeoutMs;
    for (;;) {
      const up = await Promise.all(this.ports.map(accepts));
      if (up.every(Boolean)) return;
      if (child.exitCode !== null || Date.now() > end)
        throw new Error(
          `${this.name} did not start (exit ${child.exitCode}):\n${await this.describe()}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(timer);
  }
}

// Drives an independent XMPP client (Debian python3-slixmpp, under /usr/bin/python3) through
// test/support/slixmpp_client.py: JSON lines of commands in, events (messages, presence) out.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

const SCRIPT = new URL("./slixmpp_client.py", import.meta.url).pathname;
export const SYSTEM_PYTHON = "/usr/bin/python3";

export interface SlixmppEvent {
  event: "online" | "message" | "presence" | "subscribe" | "ack" | "failed" | "disconnected";
  from?: string;
  to?: string;
  type?: string;
  body?: string;
  subject?: string;
  /** Serialized child elements of a message other than body, subject and thread. */
  extra?: string[];
  show?: string;
  status?: string;
  jid?: string;
  seq?: number;
  reason?: string;
}

/** Like peer(): `{ skip }` when slixmpp is not importable, a throw under OMNIVOX_REQUIRE_PEERS=1. */
export function slixmppPeer(): { path?: string; skip?: string } {
  const probe = spawnSync(SYSTEM_PYTHON, ["-c", "import slixmpp"], {
    stdio: "ignore",
    timeout: 20_000,
  });
  if (probe.status === 0) return { path: SYSTEM_PYTHON };
  const reason = `slixmpp not importable by ${SYSTEM_PYTHON}: install the Debian package python3-slixmpp (scripts/install-peers.sh)`;
  if (process.env.OMNIVOX_REQUIRE_PEERS === "1")
    throw new Error(`required peer missing: ${reason}`);
  return { skip: reason };
}

export class SlixmppClient {
  readonly events: SlixmppEvent[] = [];
  readonly #child: ChildProcess;
  readonly #waiters = new Set<() => void>();
  #stderr = "";
  #seq = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stderr?.on("data", (d) => {
      this.#stderr += d;
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        this.events.push(JSON.parse(line) as SlixmppEvent);
      } catch {
        this.#stderr += `${line}\n`;
      }
      for (const w of this.#waiters) w();
    });
    child.on("exit", () => {
      for (const w of this.#waiters) w();
    });
  }

  /** Starts the client logged in as `jid` and resolves once it is online. */
  static async start(opts: {
    python?: string;
    jid: string;
    password: string;
    host?: string;
    port: number;
  }): Promise<SlixmppClient> {
    const child = spawn(
      opts.python ?? SYSTEM_PYTHON,
      [SCRIPT, opts.jid, opts.password, opts.host ?? "127.0.0.1", String(opts.port)],
      { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, PYTHONUNBUFFERED: "1" } },
    );
    const client = new SlixmppClient(child);
    try {
      await client.waitFor((e) => e.event === "online" || e.event === "failed", 20_000);
    } catch (err) {
      await client.quit();
      throw err;
    }
    if (client.events.some((e) => e.event === "failed")) {
      await client.quit();
      throw new Error(`slixmpp could not log in as ${opts.jid}:\n${client.#stderr}`);
    }
    return client;
  }

  /** Resolves with the first event, past or future, that matches. */
  waitFor(match: (e: SlixmppEvent) => boolean, timeoutMs = 10_000): Promise<SlixmppEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(match);
        if (found || this.#child.exitCode !== null) {
          clearTimeout(timer);
          this.#waiters.delete(check);
          if (found) resolve(found);
          else reject(new Error(`slixmpp exited:\n${this.#stderr}`));
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `slixmpp: no matching event in ${timeoutMs} ms; got ${JSON.stringify(this.events)}\n${this.#stderr}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** Sends one command and resolves once the client has carried it out. */
  async command(cmd: Record<string, unknown>): Promise<void> {
    const seq = ++this.#seq;
    this.#child.stdin?.write(`${JSON.stringify({ ...cmd, seq })}\n`);
    await this.waitFor((e) => e.event === "ack" && e.seq === seq);
  }

  send(to: string, body: string, type = "chat"): Promise<void> {
    return this.command({ cmd: "send", to, body, type });
  }

  presence(p: { to?: string; type?: string; show?: string; status?: string } = {}): Promise<void> {
    return this.command({ cmd: "presence", ...p });
  }

  approve(jid: string): Promise<void> {
    return this.command({ cmd: "approve", jid });
  }

  autoApprove(value = true): Promise<void> {
    return this.command({ cmd: "auto_approve", value });
  }

  /** Logs out and ends the process (SIGKILL after 3 s). */
  async quit(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.stdin?.end(`${JSON.stringify({ cmd: "quit" })}\n`);
    const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(timer);
  }
}

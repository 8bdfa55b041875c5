// Drives independent XMPP clients (Debian python3-slixmpp, under /usr/bin/python3) through
// test/support/slixmpp_client.py: one process for one or many accounts, JSON lines of commands in,
// events (messages, presence, PEP notifications) out.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

const SCRIPT = new URL("./slixmpp_client.py", import.meta.url).pathname;
export const SYSTEM_PYTHON = "/usr/bin/python3";

export interface SlixmppEvent {
  event:
    | "online"
    | "message"
    | "pubsub"
    | "error"
    | "presence"
    | "subscribe"
    | "ack"
    | "failed"
    | "disconnected";
  /** The bare JID of the account the event happened to. */
  account?: string;
  from?: string;
  id?: string;
  thread?: string;
  /** A PEP/pubsub notification message, serialized. */
  xml?: string;
  /** Why a command failed (its ack still comes). */
  error?: string;
  /** When the client got the message (Python's clock, ms since the epoch). */
  t?: number;
  /** The stanza error condition of a bounced message. */
  condition?: string;
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

  /**
   * Starts one process logged in as `jid` (and every one of `more`) and resolves once all are
   * online. With `receipts` the clients answer XEP-0184 receipt requests.
   */
  static async start(opts: {
    python?: string;
    jid: string;
    password: string;
    more?: { jid: string; password: string }[];
    receipts?: boolean;
    host?: string;
    port: number;
    timeoutMs?: number;
  }): Promise<SlixmppClient> {
    const accounts = [{ jid: opts.jid, password: opts.password }, ...(opts.more ?? [])];
    const child = spawn(
      opts.python ?? SYSTEM_PYTHON,
      [
        SCRIPT,
        opts.host ?? "127.0.0.1",
        String(opts.port),
        ...(opts.receipts ? ["--receipts"] : []),
        ...accounts.flatMap((a) => [a.jid, a.password]),
      ],
      { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, PYTHONUNBUFFERED: "1" } },
    );
    const client = new SlixmppClient(child);
    const online = new Set<string>();
    try {
      await client.waitFor((e) => {
        if (e.event === "failed") return true;
        if (e.event === "online" && e.account) online.add(e.account);
        return online.size >= accounts.length;
      }, opts.timeoutMs ?? 20_000);
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
            `slixmpp: no matching event in ${timeoutMs} ms; last events ${JSON.stringify(this.events.slice(-20))}\n${this.#stderr}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** Sends one command and resolves once the client has carried it out; rejects if it failed. */
  async command(cmd: Record<string, unknown>, timeoutMs?: number): Promise<void> {
    const seq = ++this.#seq;
    this.#child.stdin?.write(`${JSON.stringify({ ...cmd, seq })}\n`);
    const ack = await this.waitFor((e) => e.event === "ack" && e.seq === seq, timeoutMs);
    if (ack.error) throw new Error(`slixmpp ${String(cmd.cmd)}: ${ack.error}`);
  }

  send(
    to: string,
    body: string,
    type = "chat",
    opts: { thread?: string; replyId?: string; account?: string } = {},
  ): Promise<void> {
    const { replyId, ...rest } = opts;
    return this.command({ cmd: "send", to, body, type, ...rest, reply_id: replyId });
  }

  /** Answers the last message from `to` with slixmpp's own Message.reply() (keeps <thread>). */
  reply(to: string, body: string, account?: string): Promise<void> {
    return this.command({ cmd: "reply", to, body, account });
  }

  /** Writes raw data on the client's stream, as a broken or hostile client would. */
  raw(data: string, account?: string): Promise<void> {
    return this.command({ cmd: "raw", data, account });
  }

  /** Creates our PEP node, grants `publisher` the publisher affiliation, and subscribes us. */
  pepGrant(node: string, publisher: string, account?: string): Promise<void> {
    return this.command({ cmd: "pep_grant", node, publisher, account });
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

// Runs baresip (Debian package baresip, v1.0) as a phone for interop tests: a private config
// directory with one account, no sound device (ausine in, aubridge out), the stdio UI so the
// test reads what it prints and types commands into it, killed for sure when the test ends.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeUdpPort } from "./sipp.ts";

export interface BaresipAccount {
  /** The AOR is sip:<user>@<domain>. */
  user: string;
  domain: string;
  password: string;
  /** Where every request goes (the account's outbound proxy): our SIP listener. */
  outbound: { host: string; port: number; transport?: "udp" | "tcp" | "tls" };
  /** Registration interval in seconds (baresip `regint`); default 600. */
  regint?: number;
  /** Subscribe to message-summary after registering; default true. */
  mwi?: boolean;
  displayName?: string;
  /** Extra account parameters, e.g. ["answermode=auto"]. */
  params?: string[];
}

export interface BaresipOptions {
  /** The baresip binary (from peer("baresip", "baresip")). */
  binary: string;
  account: BaresipAccount;
  /**
   * More accounts in the same process: they register from the same address and port (several
   * lines of one phone). `/uafind <aor>` picks the one the next `/dial` uses.
   */
  moreAccounts?: BaresipAccount[];
  /** Audio source as `module,device`; default a 440 Hz tone from ausine. */
  audioSource?: string;
  /** Print every SIP message baresip sends and receives (-s). */
  sipTrace?: boolean;
  /**
   * Record the audio of calls (sndfile module) into this directory: baresip writes
   * `dump-<time>-dec.wav` with what it received and `-enc.wav` with what it sent.
   */
  recordDir?: string;
  /** More modules to load from /usr/lib/baresip/modules, e.g. ["srtp.so"] for `mediaenc=srtp`. */
  modules?: string[];
  /** PEM trust anchors for TLS (baresip `sip_cafile`), e.g. omnivox's self-signed certificate. */
  caFile?: string;
  /**
   * The address baresip binds and sends from; default 127.0.0.1. Any 127.0.0.0/8 address works
   * on Linux, which lets a test make a phone another source than an attacker.
   */
  listenHost?: string;
  /** Give up when baresip has not said it is ready within this many ms; default 10 000. */
  startTimeoutMs?: number;
}

export interface Baresip {
  /** The SIP port baresip listens on (127.0.0.1, UDP and TCP). */
  readonly sipPort: number;
  readonly process: ChildProcess;
  /** Everything baresip printed so far (stdout and stderr, ANSI colours removed). */
  output(): string;
  /** Resolves with the first match in the output (past or future); rejects after the timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Types into the console: a long command as "/dial sip:…", or single-key commands. */
  command(text: string): void;
  /** Quits baresip (then kills it) and removes its config directory. */
  stop(): Promise<void>;
}

export function accountLine(a: BaresipAccount): string {
  const transport = a.outbound.transport ?? "udp";
  const name = a.displayName === undefined ? "" : `"${a.displayName.replace(/"/g, "")}" `;
  const params = [
    `auth_pass=${a.password}`,
    `outbound="sip:${a.outbound.host}:${a.outbound.port}${transport === "udp" ? "" : `;transport=${transport}`}"`,
    `regint=${a.regint ?? 600}`,
    `mwi=${a.mwi === false ? "no" : "yes"}`,
    ...(a.params ?? []),
  ];
  return `${name}<sip:${a.user}@${a.domain}>;${params.join(";")}`;
}

function configText(
  sipPort: number,
  audioSource: string,
  recordDir?: string,
  modules: readonly string[] = [],
  caFile?: string,
  listenHost = "127.0.0.1",
): string {
  return [
    ...(caFile ? [`sip_cafile\t\t${caFile}`] : []),
    ...(recordDir ? [`snd_path\t\t${recordDir}`, "module\t\t\tsndfile.so"] : []),
    "poll_method\t\tepoll",
    `sip_listen\t\t${listenHost}:${sipPort}`,
    "call_local_timeout\t120",
    "call_max_calls\t\t4",
    `audio_source\t\t${audioSource}`,
    "audio_player\t\taubridge,nil",
    "audio_alert\t\taubridge,nil",
    "module_path\t\t/usr/lib/baresip/modules",
    "module\t\t\tstdio.so",
    "module\t\t\tg711.so",
    "module\t\t\tausine.so",
    "module\t\t\taufile.so",
    "module\t\t\taubridge.so",
    ...modules.map((m) => `module\t\t\t${m}`),
    "module_tmp\t\taccount.so",
    "module_app\t\tmenu.so",
    "module_app\t\tmwi.so",
    "",
  ].join("\n");
}

const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/**
 * Starts baresip on a free port. freeUdpPort checks UDP only, while baresip also binds TCP and TLS
 * beside it, so a port another process holds for TCP is tried again on a new port.
 */
export async function startBaresip(options: BaresipOptions): Promise<Baresip> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (attempt >= 3 || !/Address already in use/.test(String(err))) throw err;
    }
  }
}

async function startOnce(options: BaresipOptions): Promise<Baresip> {
  const dir = await mkdtemp(join(tmpdir(), "omnivox-baresip-"));
  const sipPort = await freeUdpPort();
  await writeFile(
    join(dir, "config"),
    configText(
      sipPort,
      options.audioSource ?? "ausine,440",
      options.recordDir,
      options.modules,
      options.caFile,
      options.listenHost,
    ),
  );
  const accounts = [options.account, ...(options.moreAccounts ?? [])];
  await writeFile(join(dir, "accounts"), `${accounts.map(accountLine).join("\n")}\n`);
  await writeFile(join(dir, "contacts"), "");
  const args = ["-f", dir, ...(options.sipTrace ? ["-s"] : [])];
  const child = spawn(options.binary, args, { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
  let text = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    // Colour codes would split the words the tests look for.
    text += chunk.toString("utf8").replace(ANSI_COLOUR, "");
    for (const l of listeners) l();
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  child.stdin.on("error", () => {}); // writing to a baresip that died must not throw
  let dead = false;
  const exited = new Promise<void>((resolve) => {
    const end = () => {
      dead = true;
      resolve();
    };
    child.once("exit", end);
    child.once("error", (err) => {
      text += `\n[spawn error: ${err.message}]\n`;
      end();
    });
  });
  let stopped = false;

  const handle: Baresip = {
    sipPort,
    process: child,
    output: () => text,
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(text);
          if (m) {
            done();
            resolve(m);
          } else if (dead) {
            done();
            reject(new Error(`baresip exited before ${pattern}:\n${text}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`baresip did not print ${pattern} in ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then(check);
        check();
      });
    },
    command(input) {
      if (!dead && child.stdin.writable)
        child.stdin.write(input.startsWith("/") && !input.endsWith("\n") ? `${input}\n` : input);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (!dead) {
        handle.command("q");
        const killer = setTimeout(() => child.kill("SIGKILL"), 2000);
        await exited;
        clearTimeout(killer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await handle.waitFor(/baresip is ready/, options.startTimeoutMs ?? 10_000);
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return handle;
}

// Runs linphone-cli (`linphonec`, Debian linphone-cli 5.1) as a phone for interop tests: a private
// HOME and linphonerc with one account, SIP over the transport the test asks for (the others
// switched off), the "files" sound card (a WAV is the microphone, another records what it
// hears), its console driven through stdin and its SIP log (-d 6) kept for the assertions.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LinphoneOptions {
  /** The linphonec binary (from peer("linphonec", "linphone-cli")). */
  binary: string;
  user: string;
  domain: string;
  password: string;
  /** Our SIP listener: the account's proxy. */
  proxy: { host: string; port: number; transport: "udp" | "tcp" | "tls" };
  /** Played as the microphone during calls (WAV, 16-bit mono). */
  playFile: string;
  /** What the phone hears is recorded here (WAV). */
  recordFile: string;
  /** Answer incoming calls at once (linphonec -a). */
  autoAnswer?: boolean;
  /** Registration interval in seconds; default 600. */
  expires?: number;
  /** Give up when linphonec has not registered within this many ms; default 20 000. */
  registerTimeoutMs?: number;
}

export interface Linphone {
  readonly process: ChildProcess;
  /** What linphonec printed on its console so far. */
  output(): string;
  /** Its SIP/media log (the -l file) as it is now. */
  log(): Promise<string>;
  /** Resolves with the first match in the console output (past or future). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the first match in the log file, polling it. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Types one console command (a newline is added). */
  command(text: string): void;
  /** Quits linphonec (then kills it) and removes its directory. */
  stop(): Promise<void>;
}

function linphonerc(o: LinphoneOptions): string {
  const t = o.proxy.transport;
  // linphone: port 0 switches a transport off, -1 picks a random port.
  const port = (kind: typeof t) => (kind === t ? -1 : 0);
  return [
    "[sip]",
    `sip_port=${port("udp")}`,
    `sip_tcp_port=${port("tcp")}`,
    `sip_tls_port=${port("tls")}`,
    "default_proxy=0",
    "register_only_when_network_is_up=0",
    "auto_net_state_mon=0",
    "ipv6=0",
    "[rtp]",
    "audio_rtp_port=-1",
    "audio_adaptive_jitt_comp_enabled=0",
    "[sound]",
    "echocancellation=0",
    "[proxy_0]",
    `reg_proxy=<sip:${o.proxy.host}:${o.proxy.port};transport=${t}>`,
    `reg_identity=<sip:${o.user}@${o.domain}>`,
    `reg_expires=${o.expires ?? 600}`,
    "reg_sendregister=1",
    "publish=0",
    "dial_escape_plus=0",
    "[auth_info_0]",
    `username=${o.user}`,
    `passwd=${o.password}`,
    "",
  ].join("\n");
}

export async function startLinphone(o: LinphoneOptions): Promise<Linphone> {
  const dir = await mkdtemp(join(tmpdir(), "omnivox-linphone-"));
  const rc = join(dir, "linphonerc");
  const logFile = join(dir, "linphone.log");
  await writeFile(rc, linphonerc(o));
  // Without its database directory linphone 5.1 never opens its listening points.
  await mkdir(join(dir, ".local", "share", "linphone"), { recursive: true });
  const args = ["-c", rc, "-d", "6", "-l", logFile, ...(o.autoAnswer ? ["-a"] : [])];
  const child = spawn(o.binary, args, {
    cwd: dir,
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let text = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    for (const l of listeners) l();
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  child.stdin.on("error", () => {});
  let dead = false;
  const exited = new Promise<void>((resolve) => {
    const end = () => {
      dead = true;
      for (const l of listeners) l();
      resolve();
    };
    child.once("exit", end);
    child.once("error", (err) => {
      text += `\n[spawn error: ${err.message}]\n`;
      end();
    });
  });
  const log = () => readFile(logFile, "utf8").catch(() => "");
  let stopped = false;
  const handle: Linphone = {
    process: child,
    output: () => text,
    log,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(text);
          if (m) {
            done();
            resolve(m);
          } else if (dead) {
            done();
            reject(new Error(`linphonec exited before ${pattern}:\n${text.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `linphonec did not print ${pattern} in ${timeoutMs} ms:\n${text.slice(-3000)}`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async waitForLog(pattern, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const m = pattern.exec(await log());
        if (m) return m;
        if (Date.now() > until)
          throw new Error(`linphone's log never matched ${pattern} in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    command(input) {
      if (!dead && child.stdin.writable) child.stdin.write(`${input}\n`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (!dead) {
        handle.command("quit");
        const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(killer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await handle.waitFor(/linphonec>/, 10_000);
    handle.command("soundcard use files");
    handle.command(`play ${o.playFile}`);
    handle.command(`record ${o.recordFile}`);
    await handle.waitForLog(/to \[LinphoneRegistrationOk\]/, o.registerTimeoutMs ?? 20_000);
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    const tail = (await log()).slice(-4000);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n--- linphone log ---\n${tail}`);
  }
  return handle;
}

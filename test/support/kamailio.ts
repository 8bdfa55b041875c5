// Kamailio 5.6 (Debian kamailio) as the PBX proxy in front of omnivox, for the interop tests:
// started in the foreground with a config generated into the test's temp dir, on one free port
// for UDP and TCP, no database. It record-routes both ways (double Record-Route when a request
// crosses from TCP to UDP), routes in-dialog requests with loose_route(), forwards REGISTER
// with Path (RFC 3327) and SUBSCRIBE to omnivox, and diverts a call to `divert.user` that is not
// answered to omnivox's voicemail pilot with Diversion (RFC 5806), as a PBX does.

import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { join } from "node:path";
import { peer } from "./peers.ts";
import { freeUdpPort } from "./sipp.ts";

const MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/";
const DEBIAN_BINARY = "/usr/sbin/kamailio";

/** Debian installs kamailio in /usr/sbin, which a non-root PATH often lacks. */
export function kamailioPeer(): { path?: string; skip?: string } {
  try {
    accessSync(DEBIAN_BINARY, constants.X_OK);
    return { path: DEBIAN_BINARY };
  } catch {
    return peer("kamailio", "kamailio");
  }
}

export interface KamailioOptions {
  /** Where omnivox listens (UDP). */
  omnivox: { host: string; port: number };
  workDir: string;
  /** Shared memory in MB (default 32; a benchmark's thousands of transactions want more). */
  shmMb?: number;
  /**
   * Worker processes per transport (default 1). With several, a 180 and the 200 right behind it
   * can be relayed by two processes at once and reach the caller in the wrong order — a phone
   * does not mind, a sipp scenario does; a benchmark needs the throughput.
   */
  workers?: number;
  /** Calls to `user` ring `ringUri` (default: a port nobody answers); unanswered after `ringMs`, they go to `pilot`. */
  divert?: { user: string; pilot: string; ringMs?: number; ringUri?: string };
}

export interface Kamailio {
  readonly host: string;
  /** Its SIP port, UDP and TCP. */
  readonly port: number;
  /** Kamailio's log (stderr), with one "kamailio-rx" line per request and reply it received. */
  log(): string;
  stop(): Promise<void>;
}

/** A port free for both UDP and TCP right now. */
async function freeUdpTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freeUdpPort();
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no port free for both UDP and TCP");
}

export function kamailioConfig(port: number, o: KamailioOptions, deadPort: number): string {
  const workers = o.workers ?? 1;
  const omni = `sip:${o.omnivox.host}:${o.omnivox.port}`;
  const d = o.divert;
  const divert = d
    ? `
  if ($rU == "${d.user}") {
    # The callee's phone rings; unanswered, the call goes to voicemail.
    t_set_fr(${d.ringMs ?? 1500}, ${d.ringMs ?? 1500});
    t_on_failure("NOANSWER");
    $du = "${d.ringUri ?? `sip:127.0.0.1:${deadPort}`}";
    t_relay();
    exit;
  }`
    : "";
  const failure = d
    ? `
failure_route[NOANSWER] {
  if (t_is_canceled()) exit;
  xlog("L_NOTICE", "kamailio-divert $rU no-answer to ${d.pilot}\\n");
  add_diversion("no-answer");
  $ru = "sip:${d.pilot}@${o.omnivox.host}:${o.omnivox.port}";
  $du = "${omni}";
  t_relay();
}`
    : "";
  return `#!KAMAILIO
debug=2
log_stderror=yes
log_prefix="kamailio "
children=${workers}
tcp_children=${workers}
auto_aliases=no
listen=udp:127.0.0.1:${port}
listen=tcp:127.0.0.1:${port}
alias="127.0.0.1:${port}"
mpath="${MODULES}"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "diversion.so"
loadmodule "path.so"
loadmodule "xlog.so"
modparam("rr", "enable_double_rr", 1)
modparam("rr", "append_fromtag", 1)
modparam("tm", "fr_inv_timer", 30000)

request_route {
  xlog("L_NOTICE", "kamailio-rx $rm $ru from $si:$sp/$pr\\n");
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
    sl_send_reply("404", "Not Here");
    exit;
  }
  if (is_method("REGISTER")) {
    add_path();
    $du = "${omni}";
    t_relay();
    exit;
  }
  if ($si == "${o.omnivox.host}" && $sp == ${o.omnivox.port}) {
    # From omnivox to a phone: its Route (the phone's Path) names us.
    loose_route();
    record_route();
    t_relay();
    exit;
  }
  record_route();${divert}
  $du = "${omni}";
  t_relay();
}

onreply_route {
  xlog("L_NOTICE", "kamailio-rx reply $rs $rr for $rm from $si:$sp/$pr\\n");
}
${failure}
`;
}

export async function startKamailio(bin: string, o: KamailioOptions): Promise<Kamailio> {
  const port = await freeUdpTcpPort();
  const deadPort = await freeUdpPort();
  const cfg = join(o.workDir, "kamailio.cfg");
  await writeFile(cfg, kamailioConfig(port, o, deadPort));
  const child: ChildProcess = spawn(
    bin,
    [
      "-f",
      cfg,
      "-DD",
      "-E",
      "-Y",
      o.workDir,
      "-m",
      String(o.shmMb ?? 32),
      "-M",
      "4",
      "-w",
      o.workDir,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  child.stdout?.on("data", (b) => {
    log += b;
  });
  child.stderr?.on("data", (b) => {
    log += b;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const end = Date.now() + 15_000;
  // Ready once the TCP listener accepts connections (UDP is bound before it).
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kamailio exited:\n${log}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once("error", () => resolve(false));
      s.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
    });
    if (up) break;
    if (Date.now() > end) {
      child.kill("SIGKILL");
      throw new Error(`kamailio did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: "127.0.0.1",
    port,
    log: () => log,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

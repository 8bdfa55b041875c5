// Call set-ups per second driven by sipp (built-in uac: INVITE, 200, ACK, BYE) against a child
// omnivox answering every call with the voicemail deposit, beside the same load against sipp's
// own built-in uas in the same run (the limit of the load generator on this machine). With
// Kamailio installed, also set-ups through it as a record-routing proxy, beside direct ones made
// by the same route-following scenario in the same run.

import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnOmnivox } from "../test/support/child.ts";
import { kamailioPeer, startKamailio } from "../test/support/kamailio.ts";
import { findBinary } from "../test/support/peers.ts";
import { allocateRtpPorts } from "../test/support/rtp-ports.ts";
import { freeUdpPort } from "../test/support/sipp.ts";

const ADMIN = "bench-admin-token-0123456789";

export interface SipSetupResult {
  calls: number;
  omnivoxPerSec: number;
  omnivoxFailed: number;
  sippUasPerSec: number;
  ratio: number;
  /** Set-ups through Kamailio against direct ones, same scenario, same run (absent without it). */
  proxied?: ProxiedSetups;
}

export interface ProxiedSetups {
  calls: number;
  directPerSec: number;
  directFailed: number;
  proxiedPerSec: number;
  proxiedFailed: number;
  ratio: number;
}

/** sipp's uac, but the ACK and BYE follow the route set of the 200 ([routes], [next_url]). */
const ROUTED_UAC = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uac following Record-Route">
  <send retrans="500"><![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send><![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <send retrans="500"><![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <recv response="200" crlf="true"/>
</scenario>
`;

interface Load {
  successful: number;
  failed: number;
  seconds: number;
}

function uac(
  sipp: string,
  target: string,
  service: string,
  calls: number,
  rate: number,
  cwd: string,
  scenarioFile?: string,
): Promise<Load> {
  return new Promise((resolve, reject) => {
    void freeUdpPort().then((port) => {
      const started = performance.now();
      const child = spawn(
        sipp,
        [
          target,
          ...(scenarioFile ? ["-sf", scenarioFile] : ["-sn", "uac"]),
          "-s",
          service,
          "-i",
          "127.0.0.1",
          "-p",
          String(port),
          "-r",
          String(rate),
          "-m",
          String(calls),
          "-l",
          String(calls),
          "-nostdin",
          "-timeout",
          "120s",
          "-max_recv_loops",
          "10000",
        ],
        { cwd, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        if (out.length > 1 << 20) out = out.slice(-(1 << 19));
      });
      child.on("error", reject);
      child.on("exit", () => {
        const seconds = (performance.now() - started) / 1000;
        const count = (label: string) => {
          const rows = [
            ...out.matchAll(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, "g")),
          ];
          return Number(rows.at(-1)?.[1] ?? 0);
        };
        resolve({ successful: count("Successful call"), failed: count("Failed call"), seconds });
      });
    });
  });
}

export async function run(calls = 3000, rate = 3000): Promise<SipSetupResult | undefined> {
  const sipp = findBinary("sipp");
  if (!sipp) return undefined;
  const dir = await mkdtemp(join(tmpdir(), "omnivox-sipbench-"));
  try {
    // Baseline: sipp against sipp.
    const uasPort = await freeUdpPort();
    const uas = spawn(sipp, ["-sn", "uas", "-i", "127.0.0.1", "-p", String(uasPort), "-nostdin"], {
      cwd: dir,
      stdio: "ignore",
    });
    await new Promise((r) => setTimeout(r, 500));
    const base = await uac(sipp, `127.0.0.1:${uasPort}`, "x", calls, rate, dir);
    uas.kill("SIGKILL");

    // sipp stands in for the PBX proxy that carries every call, so its address is exempt from
    // the per-source limits (sip.limits.exempt), as an operator lists their proxy. At 1,000 calls/s
    // every call leaves two server transactions for 32 s (RFC 6026 Accepted, Timer J), so the three
    // runs back to back need a larger table than the default 10,000, as such an operator sets.
    const configFile = join(dir, "omnivox.yaml");
    await writeFile(
      configFile,
      `dataDir: ${dir}\nlog: { level: warn }\nhttp: { listen: 127.0.0.1:0, adminToken: ${ADMIN} }\nsmtp: { listen: 127.0.0.1:0 }\nsip: { listen: 127.0.0.1:0, rtpPorts: ${allocateRtpPorts(10000).range}, limits: { exempt: [127.0.0.1], maxTransactions: 40000 } }\n`,
    );
    const child = await spawnOmnivox(configFile, dir);
    try {
      await fetch(`http://127.0.0.1:${child.ports.http!.port}/api/v1/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
        body: JSON.stringify({ id: "bench", phones: ["1000"] }),
      });
      const load = await uac(sipp, `127.0.0.1:${child.ports.sip!.port}`, "1000", calls, rate, dir);
      const omnivoxPerSec = load.successful / load.seconds;
      const sippUasPerSec = base.successful / base.seconds;
      const proxied = await throughKamailio(sipp, child.ports.sip!, dir, Math.min(calls, 1000));
      return {
        calls,
        omnivoxPerSec,
        omnivoxFailed: load.failed,
        sippUasPerSec,
        ratio: omnivoxPerSec / sippUasPerSec,
        ...(proxied ? { proxied } : {}),
      };
    } finally {
      child.process.kill("SIGTERM");
      await child.exited;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Direct set-ups, then the same through a record-routing Kamailio (both UDP), same scenario. */
async function throughKamailio(
  sipp: string,
  omnivox: { host: string; port: number },
  dir: string,
  calls: number,
): Promise<ProxiedSetups | undefined> {
  const bin = kamailioPeer().path;
  if (!bin) return undefined;
  const scenario = join(dir, "routed-uac.xml");
  await writeFile(scenario, ROUTED_UAC);
  const rate = calls;
  const direct = await uac(
    sipp,
    `${omnivox.host}:${omnivox.port}`,
    "1000",
    calls,
    rate,
    dir,
    scenario,
  );
  const kamDir = await mkdtemp(join(dir, "kamailio-"));
  const proxy = await startKamailio(bin, { omnivox, workDir: kamDir, shmMb: 128, workers: 2 });
  try {
    const load = await uac(sipp, `${proxy.host}:${proxy.port}`, "1000", calls, rate, dir, scenario);
    const directPerSec = direct.successful / direct.seconds;
    const proxiedPerSec = load.successful / load.seconds;
    return {
      calls,
      directPerSec,
      directFailed: direct.failed,
      proxiedPerSec,
      proxiedFailed: load.failed,
      ratio: proxiedPerSec / directPerSec,
    };
  } finally {
    await proxy.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await run());

// The sipp caller of the deposit benchmarks: each call skips the greeting with # (SIP INFO
// dtmf-relay), waits `leadMs` for the beep, streams a raw µ-law file with sipp's rtp_stream
// (RTP, RFC 3550/3551, 20 ms PCMU packets) and hangs up, logging when it sends its BYE.

import { spawn } from "node:child_process";
import { freeUdpPort } from "../test/support/sipp.ts";

/** A deposit whose caller is 1555<n> per call, logging the wall-clock time it sends BYE. */
export function depositScenario(audioFile: string, audioMs: number, leadMs = 1000): string {
  const from = `"Bench" <sip:1555[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]`;
  const to = "<sip:[service]@[remote_ip]:[remote_port]>";
  const head = (method: string, seq: number, peer = "[peer_tag_param]") =>
    `${method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: ${from}
      To: ${to}${peer}
      Call-ID: [call_id]
      CSeq: ${seq} ${method}
      Contact: <sip:1555[call_number]@[local_ip]:[local_port]>
      Max-Forwards: 70`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="bench voicemail">
  <send retrans="500"><![CDATA[
      ${head("INVITE", 1, "")}
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=u 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=ptime:20
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200"/>
  <send><![CDATA[
      ${head("ACK", 1)}
      Content-Length: 0
  ]]></send>
  <pause milliseconds="300"/>
  <send retrans="500"><![CDATA[
      ${head("INFO", 2)}
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=#
      Duration=160
  ]]></send>
  <recv response="200"/>
  <pause milliseconds="${leadMs}"/>
  <nop><action><exec rtp_stream="${audioFile},1,0"/></action></nop>
  <pause milliseconds="${audioMs + 300}"/>
  <nop><action>
    <gettimeofday assign_to="s,us"/>
    <log message="BYE 1555[call_number] [$s] [$us]"/>
  </action></nop>
  <send retrans="500"><![CDATA[
      ${head("BYE", 3)}
      Content-Length: 0
  ]]></send>
  <recv response="200" crlf="true"/>
</scenario>
`;
}

/** Runs `calls` sipp calls of `scenarioFile` at `rate` per second, at most `limit` at once. */
export async function runDepositCalls(
  sipp: string,
  target: { host: string; port: number },
  scenarioFile: string,
  opts: { calls: number; rate: number; limit: number; logFile: string; dir: string },
): Promise<number | null> {
  const port = await freeUdpPort();
  let media = await freeUdpPort();
  if (media % 2) media = (media + 2) & ~1;
  const args = [
    `${target.host}:${target.port}`,
    ...["-sf", scenarioFile, "-s", "15550001", "-i", "127.0.0.1", "-p", String(port)],
    ...["-mi", "127.0.0.1", "-mp", String(media), "-m", String(opts.calls)],
    ...["-r", String(opts.rate), "-l", String(opts.limit)],
    ...["-trace_logs", "-log_file", opts.logFile, "-nostdin", "-timeout", "300s"],
  ];
  return new Promise((resolve, reject) => {
    const p = spawn(sipp, args, { cwd: opts.dir, stdio: "ignore" });
    p.on("error", reject);
    p.on("exit", (code) => resolve(code));
  });
}

// A user's phone for the interop tests of calls omnivox places: sipp (Debian sip-tester) answers
// as the phone (UAS) and echoes the RTP it gets (-rtp_echo), registered for the user under its
// own Contact. Its media passes a relay in the test that keeps what omnivox sent, so a test can
// check that the phone was sent speech, and counts sipp's echoes to prove sipp got it.

import { createSocket, type Socket } from "node:dgram";
import { writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { decodeUlaw } from "../../src/media/g711.ts";
import { TestPhone } from "./sip-test-phone.ts";
import { freeUdpPort, runSipp, SCENARIOS, type SippRun } from "./sipp.ts";

/** Answers an INVITE with µ-law at the relay's port, then waits for the caller's BYE. */
const UAS = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="omnivox test phone">
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      {{record_route}}Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0
  ]]></send>
  <send retrans="500"><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      {{record_route}}Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=phone 53655765 2353687637 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio {{relay}} RTP/AVP 0
      a=rtpmap:0 PCMU/8000
  ]]></send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
  ]]></send>
</scenario>
`;

export interface SippPhone {
  /** sipp's SIP port: the Contact the phone is registered under. */
  readonly port: number;
  /** RTP packets omnivox sent to the phone, and how many sipp echoed back. */
  readonly stats: { packets: number; echoes: number };
  /** What omnivox sent, decoded, in arrival order. */
  heard(): Int16Array;
  /** Registers `user` with omnivox (digest auth) under sipp's Contact. */
  register(
    server: { port: number },
    user: string,
    password: string,
    domain?: string,
    headers?: Array<[string, string]>,
  ): Promise<void>;
  /** Runs sipp as the phone until it has answered `calls` calls (or its timeout). */
  answer(calls?: number, timeoutS?: number): Promise<SippRun>;
  close(): Promise<void>;
}

/** A TestPhone that registers someone else's Contact (sipp's), as a phone behind a B2BUA would. */
class ProxyRegistrant extends TestPhone {
  constructor(
    private readonly target: string,
    ...args: ConstructorParameters<typeof TestPhone>
  ) {
    super(...args);
  }
  override get contact(): string {
    return this.target;
  }
}

export interface SippPhoneOptions {
  /** Another UAS scenario (sipp XML) whose SDP names the media port `{{relay}}`. */
  scenario?: string;
  /** Further `{{key}}` replacements in the scenario. */
  template?: Record<string, string>;
  /**
   * The phone sits behind a record-routing proxy and copies its Record-Route into the 180 and
   * 200 (RFC 3261 §12.1.1), so the caller's ACK and BYE pass the proxy too.
   */
  recordRoute?: boolean;
}

export async function startSippPhone(
  sippBin: string,
  workDir: string,
  opts: SippPhoneOptions = {},
): Promise<SippPhone> {
  const port = await freeUdpPort();
  let media = await freeUdpPort();
  if (media % 2) media = (media + 2) & ~1;
  const relay: Socket = createSocket("udp4");
  await new Promise<void>((resolve) => relay.bind(0, "127.0.0.1", resolve));
  const chunks: Uint8Array[] = [];
  const stats = { packets: 0, echoes: 0 };
  relay.on("message", (msg, from) => {
    if (from.port === media) {
      stats.echoes++;
      return;
    }
    if (msg.length < 12 || (msg[1]! & 0x7f) !== 0) return; // PCMU only, as the answer said
    const csrc = msg[0]! & 0x0f;
    let at = 12 + 4 * csrc;
    if (msg[0]! & 0x10) at += 4 + 4 * msg.readUInt16BE(at + 2);
    stats.packets++;
    chunks.push(msg.subarray(at));
    relay.send(msg, media, "127.0.0.1");
  });
  // One file per phone: several phones may share a work dir.
  const scenario = join(workDir, `phone-uas-${port}.xml`);
  let text = (opts.scenario ?? UAS)
    .replaceAll("{{relay}}", String(relay.address().port))
    .replaceAll("{{record_route}}", opts.recordRoute ? "[last_Record-Route:]\n      " : "");
  for (const [k, v] of Object.entries(opts.template ?? {})) text = text.replaceAll(`{{${k}}}`, v);
  await writeFile(scenario, text);
  let registrant: TestPhone | undefined;

  return {
    port,
    stats,
    heard() {
      const bytes = Buffer.concat(chunks);
      const pcm = new Int16Array(bytes.length);
      decodeUlaw(bytes, pcm);
      return pcm;
    },
    async register(server, user, password, domain = "localhost", headers = []) {
      registrant = new ProxyRegistrant(
        `sip:${user}@127.0.0.1:${port}`,
        user,
        password,
        { host: "127.0.0.1", port: server.port, transport: "udp" },
        domain,
      );
      await registrant.start();
      const { final } = await registrant.register(headers);
      if (final.status !== 200) throw new Error(`REGISTER: ${final.status} ${final.reason}`);
    },
    answer(calls = 1, timeoutS = 60) {
      // runSipp names its own media port first; the later -mp wins, the port the relay feeds.
      return runSipp(sippBin, undefined, relative(SCENARIOS, scenario), {
        service: "phone",
        port,
        calls,
        timeoutS,
        workDir,
        extra: ["-mp", String(media), "-rtp_echo"],
      });
    },
    async close() {
      await registrant?.stop();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}

// Interop with a real SIP peer: SIPp (Debian sip-tester) sends an OPTIONS over UDP from a custom
// scenario and requires a 200 whose Allow lists OPTIONS. Skipped when sipp is missing, unless
// OMNIVOX_REQUIRE_PEERS=1.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { peer } from "../../../test/support/peers.ts";
import { SipEndpoint } from "./endpoint.ts";

const SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="omnivox options">
  <send retrans="500">
    <![CDATA[
      OPTIONS sip:omnivox@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      To: <sip:omnivox@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200">
    <action>
      <ereg regexp="OPTIONS" search_in="hdr" header="Allow:" check_it="true" assign_to="allow" />
    </action>
  </recv>
  <Reference variables="allow" />
</scenario>
`;

const sipp = peer("sipp", "sip-tester");

it("answers SIPp's OPTIONS with 200 and Allow", { skip: sipp.skip }, async () => {
  const endpoint = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 } });
  const dir = await mkdtemp(join(tmpdir(), "omnivox-sipp-"));
  try {
    const { udp } = await endpoint.start();
    assert.ok(udp);
    const scenario = join(dir, "options.xml");
    await writeFile(scenario, SCENARIO);
    const args = ["-sf", scenario, "-m", "1", "-i", "127.0.0.1", "-nostdin"];
    args.push("-timeout", "10s", "-timeout_error", `127.0.0.1:${udp.port}`);
    const outcome = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(sipp.path!, args, { cwd: dir, timeout: 20_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}`.slice(-2000) });
      });
    });
    assert.equal(outcome.code, 0, `sipp failed:\n${outcome.output}`);
    assert.equal(endpoint.stats.received, 1, "one OPTIONS, no retransmission needed");
  } finally {
    await endpoint.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

// SIP limits (docs/security.md "SIP limits"): 100 idle TCP connections from 127.0.0.4 meet the
// per-source cap (sip.limits.tcpMaxConnectionsPerSource, 64 by default) and those let in are cut
// when they send no message within tcpMessageTimeoutMs; meanwhile a phone at 127.0.0.1 connects
// over TCP and registers. /metrics counts the refusals and the SIP TCP connections.

import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { DigestClient } from "../../src/protocols/sip/auth/index.ts";
import { createRequest, newCallId, newTag, SipEndpoint } from "../../src/protocols/sip/endpoint.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";

let t: TestApp;
/** Phones register with the SIP secret, never the web password. */
let aliceSecret = "";

before(async () => {
  t = await startTestApp({ sip: { listen: "127.0.0.1:0", limits: { tcpMessageTimeoutMs: 3000 } } });
  aliceSecret = (
    await t.addUser({ id: "alice", phones: ["+15550001"], password: "wonderland", pin: "123456" })
  ).sipSecret;
});

after(async () => {
  await t?.stop();
});

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${t.app.ports.http!.port}/metrics`, {
    headers: { authorization: `Bearer ${t.app.adminToken}` },
  });
  return res.text();
}

function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const closed = (s: Socket) =>
  new Promise<void>((resolve) => {
    if (s.destroyed) resolve();
    else s.once("close", () => resolve());
  });

test("an idle-connection flood is capped and cut; another source registers over TCP", {
  timeout: 60_000,
}, async () => {
  const sip = t.app.ports.sip!;
  const idle: Socket[] = [];
  let cutEarly = 0;
  for (let i = 0; i < 100; i++) {
    const s = connect({ host: sip.host, port: sip.port, localAddress: "127.0.0.4" });
    s.on("error", () => {});
    s.once("close", () => cutEarly++);
    idle.push(s);
  }
  await Promise.all(idle.map((s) => new Promise((r) => s.once("connect", r).once("close", r))));
  const phone = new SipEndpoint({ tcp: { host: "127.0.0.1", port: 0 } });
  await phone.start();
  try {
    const dest = { ...sip, transport: "tcp" as const };
    const contact = `sip:alice@127.0.0.1:${phone.localAddress("tcp")!.port};transport=tcp`;
    const callId = newCallId("tcp.test");
    const build = (cseq: number) =>
      createRequest({
        method: "REGISTER",
        uri: "sip:localhost",
        from: { uri: "sip:alice@localhost", tag: newTag() },
        to: { uri: "sip:alice@localhost" },
        callId,
        cseq,
        contact,
        headers: [["Expires", "600"]],
      });
    const first = await phone.sendRequest(build(1), dest);
    assert.equal(first.status, 401, "the phone's TCP connection is served");
    const retry = build(2);
    const answer = new DigestClient().answerChallenge(
      first,
      { username: "alice", password: aliceSecret },
      { method: "REGISTER", uri: retry.uri },
    );
    assert.ok(answer.ok);
    retry.headers.add(answer.header, answer.value);
    const final = await phone.sendRequest(retry, dest);
    assert.equal(final.status, 200, "the phone registers over TCP during the flood");

    let text = await scrape();
    assert.equal(value(text, 'omnivox_throttled_total{listener="sip",reason="per-source"}'), 36);
    assert.ok(value(text, 'omnivox_connections{listener="sip-tcp"}') <= 65);
    // The 64 let in never send a message: cut after tcpMessageTimeoutMs.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(idle.map(closed)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("idle connections not cut")), 20_000);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.ok(cutEarly >= 100);
    text = await scrape();
    assert.equal(
      value(text, 'omnivox_throttled_total{listener="sip",reason="message-timeout"}'),
      64,
    );
    assert.equal(phone.isConnected(dest), true, "the phone's connection, which spoke, is kept");
  } finally {
    for (const s of idle) s.destroy();
    await phone.stop();
  }
});

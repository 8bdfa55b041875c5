// SIP limits (docs/security.md "SIP limits"): 3,000 unauthenticated REGISTERs at about 1,000/s
// from 127.0.0.3 (a raw UDP sender) do not stop a phone at 127.0.0.1 from registering and
// subscribing during the flood, nor omnivox's own NOTIFY to it (a client transaction); the flood
// gets next to no answers (no amplification) and /metrics counts it.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { TestPhone } from "../support/sip-test-phone.ts";

let t: TestApp;
/** Phones register with the SIP secret, never the web password. */
let aliceSecret = "";

before(async () => {
  // A table of 1,000 so that 3,000 REGISTERs would fill it as 10,000 fill the default one.
  t = await startTestApp({ sip: { listen: "127.0.0.1:0", limits: { maxTransactions: 1000 } } });
  aliceSecret = (
    await t.addUser({ id: "alice", phones: ["+15550001"], password: "wonderland", pin: "123456" })
  ).sipSecret;
});

after(async () => {
  await t?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function register(from: string, n: number): Buffer {
  return Buffer.from(
    [
      `REGISTER sip:localhost SIP/2.0`,
      `Via: SIP/2.0/UDP ${from};branch=z9hG4bKrf${n}x${Math.random().toString(36).slice(2)};rport`,
      "Max-Forwards: 70",
      `From: <sip:${1000 + (n % 500)}@localhost>;tag=rf${n}`,
      `To: <sip:${1000 + (n % 500)}@localhost>`,
      `Call-ID: rflood-${n}@127.0.0.3`,
      `CSeq: 1 REGISTER`,
      `Contact: <sip:${1000 + (n % 500)}@${from}>`,
      "Expires: 3600",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
  );
}

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

test("a REGISTER flood leaves other sources and omnivox's own requests served", {
  timeout: 60_000,
}, async () => {
  const sip = t.app.ports.sip!;
  const flood = createSocket("udp4");
  let answers = 0;
  flood.on("message", () => answers++);
  await new Promise<void>((resolve) => flood.bind(0, "127.0.0.3", resolve));
  const from = `127.0.0.3:${flood.address().port}`;
  const SENT = 3000;
  const sending = (async () => {
    for (let n = 0; n < SENT; n += 50) {
      for (let i = n; i < n + 50; i++) flood.send(register(from, i), sip.port, sip.host);
      await sleep(50);
    }
  })();
  const phone = new TestPhone("alice", aliceSecret, { ...sip, transport: "udp" }, "localhost");
  await phone.start();
  try {
    await sleep(800); // the flood is well under way
    const reg = await phone.register([["Expires", "600"]]);
    assert.equal(reg.final.status, 200, "the phone registers during the flood");
    const sub = await phone.subscribe([
      ["Event", "message-summary"],
      ["Expires", "600"],
    ]);
    assert.equal(sub.final.status, 200, "the phone subscribes during the flood");
    await phone.waitNotifies(1, 5000);
    assert.match(phone.notifies[0]!.body.toString(), /Messages-Waiting:/i);
    await sending;
    await sleep(500);
    assert.ok(answers < SENT / 10, `the flood got ${answers} answers to ${SENT} requests`);
    const text = await scrape();
    const registers = value(text, 'omnivox_sip_requests_total{method="REGISTER"}');
    const rate = value(text, 'omnivox_throttled_total{listener="sip",reason="rate"}');
    assert.ok(registers > SENT / 2, `REGISTERs counted (${registers})`);
    assert.ok(rate > SENT / 2, `most of the flood met the rate limit (${rate})`);
    assert.ok(value(text, "omnivox_sip_throttled_sources") >= 1);
    assert.ok(value(text, 'omnivox_sip_responses_total{class="2xx"}') >= 2);
    assert.ok(value(text, "omnivox_sip_transactions") <= 1000);
  } finally {
    await phone.stop();
    await new Promise<void>((resolve) => flood.close(() => resolve()));
  }
});

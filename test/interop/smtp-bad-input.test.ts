// Unknown domain → 550, unknown user → 550, oversized → 552, broken MIME →
// delivered as text with a warning; the server keeps serving after each.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { lastReply, swaks } from "../support/swaks.ts";
import { connectWebClient } from "../support/web-client.ts";

const swaksBin = peer("swaks", "swaks");
let t: TestApp;

before(async () => {
  if (swaksBin.skip) return;
  t = await startTestApp({
    smtp: { listen: "127.0.0.1:0", domains: ["example.com"], maxMessageBytes: 20_000 },
  });
  await t.addUser({ id: "alice", emails: ["alice@example.com"], password: "wonderland" });
});

after(async () => {
  await t?.stop();
});

const send = (args: string[]) =>
  swaks(swaksBin.path!, t.app.ports.smtp!.port, ["--from", "bob@example.net", ...args]);

async function aliceSubjects(): Promise<
  Array<{ subject?: string; warnings: string[]; body: { text: string } }>
> {
  const res = await t.api("GET", "/communications?userId=alice");
  return res.body as Array<{ subject?: string; warnings: string[]; body: { text: string } }>;
}

test("mail for a domain we do not serve gets 550: never an open relay", {
  skip: swaksBin.skip,
}, async () => {
  const res = await send(["--to", "someone@elsewhere.org", "--quit-after", "RCPT"]);
  assert.notEqual(res.code, 0);
  assert.equal(lastReply(res.output), 550, res.output);
});

test("mail for an unknown user gets 550", { skip: swaksBin.skip }, async () => {
  const res = await send(["--to", "nobody@example.com", "--quit-after", "RCPT"]);
  assert.equal(lastReply(res.output), 550, res.output);
});

test("an oversized mail gets 552 and is not delivered; the next one is accepted", {
  skip: swaksBin.skip,
}, async () => {
  const big = await send([
    "--to",
    "alice@example.com",
    "--header",
    "Subject: big",
    "--body",
    "x".repeat(60_000),
  ]);
  assert.equal(lastReply(big.output), 552, big.output);
  const ok = await send([
    "--to",
    "alice@example.com",
    "--header",
    "Subject: small",
    "--body",
    "fine",
  ]);
  assert.equal(ok.code, 0, ok.output);
  const subjects = (await aliceSubjects()).map((c) => c.subject);
  assert.ok(subjects.includes("small"));
  assert.ok(!subjects.includes("big"));
});

test("broken MIME is delivered as text with a warning", { skip: swaksBin.skip }, async () => {
  const token = await t.login("alice", "wonderland");
  const client = await connectWebClient(t.app.ports.http!.port, token);
  try {
    const data = [
      "From: bob@example.net",
      "To: alice@example.com",
      "Subject: broken",
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="never-closed"',
      "Content-Transfer-Encoding: base64",
      "",
      "--never-closed",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "Hello =E2=82=AC and a broken soft break =",
      "=ZZ invalid escape",
      "--never-closed",
      "Content-Type: application/octet-stream",
      "Content-Transfer-Encoding: base64",
      "",
      "!!!not base64!!!",
      "",
    ].join("\r\n");
    const res = await send(["--to", "alice@example.com", "--data", data]);
    assert.equal(res.code, 0, res.output);
    const event = await client.waitFor((e) => e.type === "message" && e.subject === "broken");
    assert.match(String(event.text), /Hello/);
    const stored = (await aliceSubjects()).find((c) => c.subject === "broken");
    assert.ok(stored);
    assert.ok(stored.warnings.length > 0, "the communication carries a warning");
  } finally {
    await client.close();
  }
});

test("garbage on the SMTP port does not stop the server", { skip: swaksBin.skip }, async () => {
  const { connect } = await import("node:net");
  await new Promise<void>((resolve) => {
    const s = connect(t.app.ports.smtp!.port, "127.0.0.1", () => {
      s.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff\xfe garbage\r\n");
      setTimeout(() => s.destroy(), 200);
    });
    s.on("close", () => resolve());
    s.on("error", () => resolve());
  });
  const ok = await send([
    "--to",
    "alice@example.com",
    "--header",
    "Subject: after garbage",
    "--body",
    "ok",
  ]);
  assert.equal(ok.code, 0, ok.output);
});

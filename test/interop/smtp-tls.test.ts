// Mail over TLS with real peers: SMTP in offers STARTTLS with the self-signed certificate omnivox
// makes in dataDir, and with `require` refuses mail before it (530) — swaks with and without
// --tls; SMTP out reaches a smarthost that requires STARTTLS and AUTH (smtp-server as Postfix
// submission would), trusting that relay's certificate by smtpOut.ca.

import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ensureSelfSigned } from "../../src/protocols/tls/certificate-files.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { lastReply, swaks } from "../support/swaks.ts";
import { until } from "../support/until.ts";

const swaksBin = peer("swaks", "swaks");
const RELAY_USER = "omnivox@example.com";
const RELAY_PASSWORD = "relay-secret-1234";

let work: string;
let relay: SmtpSink;
let t: TestApp;
let token: string;

before(async () => {
  if (swaksBin.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-smtp-tls-"));
  const relayCert = await ensureSelfSigned(join(work, "relay.crt"), join(work, "relay.key"), [
    "127.0.0.1",
  ]);
  relay = await startSmtpSink({
    tls: { cert: relayCert.cert, key: relayCert.key },
    auth: { username: RELAY_USER, password: RELAY_PASSWORD },
  });
  t = await startTestApp({
    smtp: { listen: "127.0.0.1:0", domains: ["example.com"], tls: { require: true } },
    smtpOutPort: relay.port,
    smtpOut: { username: RELAY_USER, password: RELAY_PASSWORD, ca: join(work, "relay.crt") },
  });
  await t.addUser({ id: "alice", emails: ["alice@example.com"], password: "wonderland" });
  token = await t.login("alice", "wonderland");
});

after(async () => {
  await t?.stop();
  await relay?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const mail = (subject: string, extra: string[]) =>
  swaks(swaksBin.path!, t.app.ports.smtp!.port, [
    "--from",
    "bob@example.net",
    "--to",
    "alice@example.com",
    "--header",
    `Subject: ${subject}`,
    "--body",
    "see you at noon",
    ...extra,
  ]);

async function received(subject: string): Promise<boolean> {
  const res = await t.api("GET", "/communications?userId=alice");
  return (res.body as Array<{ subject?: string }>).some((c) => c.subject === subject);
}

test("SMTP in: STARTTLS with the generated certificate; mail without it is refused", {
  skip: swaksBin.skip,
}, async () => {
  const cert = new X509Certificate(await readFile(join(t.dataDir, "smtp-tls.crt")));
  assert.equal(cert.checkIP("127.0.0.1"), "127.0.0.1");
  const secured = await mail("over tls", ["--tls"]);
  assert.equal(secured.code, 0, secured.output);
  assert.match(secured.output, /250-STARTTLS/);
  assert.match(secured.output, /220 Ready to start TLS/);
  // swaks marks what went over TLS with "~>": the envelope did.
  assert.match(secured.output, /^ ~> MAIL FROM:<bob@example\.net>/m);
  await until("the mail was stored", () => received("over tls"));

  const plain = await mail("in the clear", []);
  assert.notEqual(plain.code, 0);
  assert.equal(lastReply(plain.output), 530, plain.output);
  assert.match(plain.output, /5\.7\.0 must issue a STARTTLS command first/);
  assert.equal(await received("in the clear"), false);
});

test("SMTP out: a smarthost requiring STARTTLS and AUTH gets the mail, encrypted and authenticated", {
  skip: swaksBin.skip,
}, async () => {
  const posted = await t.api(
    "POST",
    "/messages",
    { to: "mailto:bob@elsewhere.net", subject: "via the smarthost", text: "Free at noon?" },
    token,
  );
  assert.equal(posted.status, 201, JSON.stringify(posted.body));
  const [sent] = await relay.waitFor(1, 20_000);
  assert.ok(sent);
  assert.deepEqual(sent.to, ["bob@elsewhere.net"]);
  assert.equal(sent.secure, true, "the relay saw STARTTLS");
  assert.equal(sent.user, RELAY_USER, "the relay saw AUTH");
  assert.equal(sent.parsed.subject, "via the smarthost");
});

// A self-service email claim through a running omnivox (addresses.selfClaim on): the code goes
// by real SMTP to the claimed address only, never into the claimant's communications, and once
// confirmed mail to that address reaches the claimant.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "./support/harness.ts";
import { type SmtpSink, startSmtpSink } from "./support/smtp-sink.ts";

let sink: SmtpSink;
let t: TestApp;

before(async () => {
  sink = await startSmtpSink();
  t = await startTestApp({ smtpOutPort: sink.port, addresses: { selfClaim: true } });
  await t.addUser({ id: "alice", password: "alice-password" });
});

after(async () => {
  await t?.stop();
  await sink?.close();
});

test("an email claim is proven by the code mailed to that address", async () => {
  const token = await t.login("alice", "alice-password");
  const res = await t.api(
    "POST",
    "/users/alice/claims",
    { email: "alice.work@example.com" },
    token,
  );
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const [mail] = await sink.waitFor(1, 20_000);
  assert.deepEqual(mail?.to, ["alice.work@example.com"]);
  const code = /code: ([A-Z0-9]{10})/.exec(mail?.parsed.text ?? "")?.[1];
  assert.ok(code, mail?.parsed.text);
  assert.match(mail?.parsed.text ?? "", /"alice"/, "says who asks");
  const history = await t.api("GET", "/communications", undefined, token);
  assert.ok(!JSON.stringify(history.body).includes(code), "the code is not in alice's history");

  const done = await t.api("POST", `/users/alice/claims/${code}`, undefined, token);
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.deepEqual((done.body as { emails: string[] }).emails, ["alice.work@example.com"]);
  assert.equal((await t.app.store.users.findByEmail("alice.work@example.com"))?.id, "alice");
});

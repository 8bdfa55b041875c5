// Swaks sends mail to alice; her connected web client receives it; offline,
// she receives it when she connects; a restart in between loses nothing; nothing shows twice.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { lastReply, swaks } from "../support/swaks.ts";
import { until } from "../support/until.ts";
import { connectWebClient } from "../support/web-client.ts";

const swaksBin = peer("swaks", "swaks");

let sink: SmtpSink;
let t: TestApp;

before(async () => {
  if (swaksBin.skip) return;
  sink = await startSmtpSink();
  t = await startTestApp({ smtpOutPort: sink.port });
  await t.addUser({
    id: "alice",
    displayName: "Alice",
    emails: ["alice@example.com"],
    password: "wonderland",
  });
});

after(async () => {
  await t?.stop();
  await sink?.close();
});

async function deliveryStates(app: TestApp, subject: string): Promise<string[]> {
  const res = await app.api("GET", "/communications?userId=alice");
  const list = res.body as Array<{ subject?: string; deliveries: Array<{ state: string }> }>;
  return list.filter((c) => c.subject === subject).flatMap((c) => c.deliveries.map((d) => d.state));
}

test("a mail sent with swaks reaches alice's connected web client", {
  skip: swaksBin.skip,
}, async () => {
  const token = await t.login("alice", "wonderland");
  const client = await connectWebClient(t.app.ports.http!.port, token);
  try {
    const res = await swaks(swaksBin.path!, t.app.ports.smtp!.port, [
      "--from",
      "bob@example.net",
      "--to",
      "alice@example.com",
      "--header",
      "Subject: Lunch?",
      "--body",
      "Are you free at noon?",
    ]);
    assert.equal(res.code, 0, res.output);
    assert.equal(lastReply(res.output), 250, "250 after DATA");
    const event = await client.waitFor((e) => e.type === "message" && e.subject === "Lunch?");
    assert.match(String(event.text), /Are you free at noon\?/);
    assert.match(String(event.from), /bob@example\.net/);
    assert.equal(typeof event.id, "string");
    assert.equal(typeof event.communicationId, "string");
    await until(
      "delivered",
      async () => (await deliveryStates(t, "Lunch?")).every((s) => s === "delivered"),
      { timeoutMs: 10000, intervalMs: 50 },
    );
  } finally {
    await client.close();
  }
});

test("offline: the mail is held, survives a restart, arrives on connect, and shows once", {
  skip: swaksBin.skip,
}, async () => {
  const res = await swaks(swaksBin.path!, t.app.ports.smtp!.port, [
    "--from",
    "carol@example.net",
    "--to",
    "alice@example.com",
    "--header",
    "Subject: While you were away",
    "--body",
    "Call me back.",
  ]);
  assert.equal(res.code, 0, res.output);
  await until(
    "held delivery",
    async () => (await deliveryStates(t, "While you were away")).includes("held"),
    { timeoutMs: 10000, intervalMs: 50 },
  );

  // Restart on the same data directory.
  const dataDir = t.dataDir;
  await t.stop({ keepData: true });
  t = await startTestApp({ smtpOutPort: sink.port }, dataDir);

  const token = await t.login("alice", "wonderland");
  const client = await connectWebClient(t.app.ports.http!.port, token);
  try {
    const event = await client.waitFor(
      (e) => e.type === "message" && e.subject === "While you were away",
    );
    assert.match(String(event.text), /Call me back/);
    await until(
      "delivered",
      async () => (await deliveryStates(t, "While you were away")).every((s) => s === "delivered"),
      { timeoutMs: 10000, intervalMs: 50 },
    );
  } finally {
    await client.close();
  }
  // A new connection after the ack gets nothing again.
  const again = await connectWebClient(t.app.ports.http!.port, token);
  try {
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      again.events.filter((e) => e.type === "message").map((e) => e.subject),
      [],
      "acknowledged events are not sent again",
    );
  } finally {
    await again.close();
  }
});

test("an unacknowledged event is sent again, with the same id, on the next connection", {
  skip: swaksBin.skip,
}, async () => {
  const token = await t.login("alice", "wonderland");
  const silent = await connectWebClient(t.app.ports.http!.port, token, { autoAck: false });
  await swaks(swaksBin.path!, t.app.ports.smtp!.port, [
    "--from",
    "dave@example.net",
    "--to",
    "alice@example.com",
    "--header",
    "Subject: Not acked",
    "--body",
    "first showing",
  ]);
  const first = await silent.waitFor((e) => e.type === "message" && e.subject === "Not acked");
  await silent.close();
  const client = await connectWebClient(t.app.ports.http!.port, token);
  try {
    const second = await client.waitFor((e) => e.type === "message" && e.subject === "Not acked");
    assert.equal(second.id, first.id);
    assert.equal(second.communicationId, first.communicationId);
  } finally {
    await client.close();
  }
});

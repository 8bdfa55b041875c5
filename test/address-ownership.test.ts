// Address hijack through self-service, over the real REST API of a running omnivox: a user can
// neither take another user's JID nor give themself any email, phone or legacy box; the admin
// assigns addresses, each to one user only, emails only in smtp.domains; and mail a user sends
// leaves with their own served address as From and envelope sender.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestApp, type TestApp } from "./support/harness.ts";
import { type SmtpSink, startSmtpSink } from "./support/smtp-sink.ts";

type Json = Record<string, unknown>;

let sink: SmtpSink;
let t: TestApp;
let alice: string;
let mallory: string;

before(async () => {
  sink = await startSmtpSink();
  t = await startTestApp({
    smtpOutPort: sink.port,
    smtp: { listen: "127.0.0.1:0", domains: ["example.com", "localhost"] },
  });
  await t.addUser({
    id: "carol",
    emails: ["carol@example.com"],
    imClients: [{ id: "chat", kind: "xmpp", jid: "carol@chat.example" }],
    password: "carol-password",
  });
  await t.addUser({ id: "alice", emails: ["alice@example.com"], password: "alice-password" });
  await t.addUser({ id: "mallory", password: "mallory-password" });
  alice = await t.login("alice", "alice-password");
  mallory = await t.login("mallory", "mallory-password");
});

after(async () => {
  await t?.stop();
  await sink?.close();
});

function expectAdminAssigns(res: { status: number; body: unknown }, address: string): void {
  assert.equal(res.status, 403, JSON.stringify(res.body));
  const message = String((res.body as Json).message);
  assert.match(message, /assigned by the admin/);
  assert.ok(message.includes(address), message);
}

test("Mallory cannot take Carol's JID: 403 for herself, 409 even when the admin tries", async () => {
  for (const jid of ["carol@chat.example", "Carol@Chat.Example/mallory"]) {
    const self = await t.api(
      "PATCH",
      "/users/mallory",
      {
        imClients: [
          { id: "web", kind: "web" },
          { id: "x", kind: "xmpp", jid },
        ],
      },
      mallory,
    );
    expectAdminAssigns(self, "carol@chat.example");
    const byAdmin = await t.api("PATCH", "/users/mallory", {
      imClients: [{ id: "x", kind: "xmpp", jid }],
    });
    assert.equal(byAdmin.status, 409, JSON.stringify(byAdmin.body));
    assert.match(String((byAdmin.body as Json).message), /carol@chat\.example/);
  }
  assert.equal((await t.app.store.users.findByJid("carol@chat.example"))?.id, "carol");
  const profile = (await t.api("GET", "/users/mallory", undefined, mallory)).body as Json;
  assert.deepEqual(profile.imClients, [{ id: "web", kind: "web" }]);
});

test("Alice cannot give herself ceo@bigbank.example: 403 as herself, 400 naming the field from the admin", async () => {
  const self = await t.api(
    "PATCH",
    "/users/alice",
    { emails: ["alice@example.com", "ceo@bigbank.example"] },
    alice,
  );
  expectAdminAssigns(self, "ceo@bigbank.example");
  const byAdmin = await t.api("PATCH", "/users/alice", { emails: ["ceo@bigbank.example"] });
  assert.equal(byAdmin.status, 400);
  assert.equal((byAdmin.body as Json).field, "emails.0");
  assert.match(String((byAdmin.body as Json).message), /smtp\.domains/);
  const created = await t.api("POST", "/users", { id: "eve", emails: ["eve@bigbank.example"] });
  assert.equal(created.status, 400);
  assert.equal((created.body as Json).field, "emails.0");
});

test("Alice cannot claim postmaster@localhost, 911, +18005551212 or a legacy box", async () => {
  const attempts: Array<[Json, string]> = [
    [{ emails: ["alice@example.com", "postmaster@localhost"] }, "postmaster@localhost"],
    [{ phones: ["911"] }, "911"],
    [{ phones: ["+1 800 555 1212"] }, "+18005551212"],
    [
      {
        voicemailSystems: [
          { id: "internal", kind: "internal" },
          { id: "boss", kind: "sip", uri: "sip:ceo@pbx.example" },
        ],
      },
      "sip:ceo@pbx.example",
    ],
  ];
  for (const [body, address] of attempts) {
    expectAdminAssigns(await t.api("PATCH", "/users/alice", body, alice), address);
  }
  assert.equal(await t.app.store.users.findByEmail("postmaster@localhost"), undefined);
  assert.equal(await t.app.store.users.findByPhone("911"), undefined);
  assert.equal(await t.app.store.users.findByPhone("+18005551212"), undefined);
  const profile = (await t.api("GET", "/users/alice", undefined, alice)).body as Json;
  assert.deepEqual(profile.phones, []);
  assert.deepEqual(profile.voicemailSystems, [{ id: "internal", kind: "internal" }]);
});

test("the admin assigns addresses; the user may keep, reorder and drop their own", async () => {
  const assigned = await t.api("PATCH", "/users/alice", {
    emails: ["alice@example.com", "a.smith@localhost"],
    phones: ["+15550100"],
  });
  assert.equal(assigned.status, 200, JSON.stringify(assigned.body));
  const reordered = await t.api(
    "PATCH",
    "/users/alice",
    { emails: ["A.Smith@localhost", "alice@example.com"], displayName: "Alice S" },
    alice,
  );
  assert.equal(reordered.status, 200, JSON.stringify(reordered.body));
  const dropped = await t.api("PATCH", "/users/alice", { phones: [] }, alice);
  assert.equal(dropped.status, 200);
  // Taking back a dropped number is an addition again.
  expectAdminAssigns(
    await t.api("PATCH", "/users/alice", { phones: ["+15550100"] }, alice),
    "+15550100",
  );
  const taken = await t.api("PATCH", "/users/mallory", { emails: ["carol@example.com"] });
  assert.equal(taken.status, 409);
  assert.match(String((taken.body as Json).message), /carol@example\.com/);
  await t.api("PATCH", "/users/alice", { emails: ["alice@example.com"] });
});

test("mail Alice sends leaves as her own served address, in From and the envelope", async () => {
  const before = sink.mails.length;
  const res = await t.api(
    "POST",
    "/messages",
    { to: "mailto:bob@example.net", text: "hello from alice", subject: "hi" },
    alice,
  );
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const mails = await sink.waitFor(before + 1, 20_000);
  const mail = mails[before];
  assert.equal(mail?.from, "alice@example.com");
  assert.deepEqual(mail?.to, ["bob@example.net"]);
  assert.equal(mail?.parsed.from?.value[0]?.address, "alice@example.com");
});

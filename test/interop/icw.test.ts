// ICW with sipp calling: the alert names the caller; no choice records as before;
// "forward" gives sipp a 302 with the Contact; bad or late call actions get error frames.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import type { StreamEvent } from "../support/web-client.ts";
import { callerAudio, type IcwApp, startIcwApp } from "./icw-support.ts";

const sipp = peer("sipp", "sip-tester");
let app: IcwApp;
let work: string;
let sink: SmtpSink;

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-icw-"));
  sink = await startSmtpSink();
  app = await startIcwApp({ decideMs: 1500 }, sink.port);
});

after(async () => {
  await app?.client.close();
  await app?.t.stop();
  await sink?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const isAlert = (e: StreamEvent) => e.type === "call-alert";
const update = (callId: unknown, state: string) => (e: StreamEvent) =>
  e.type === "call-update" && e.callId === callId && e.state === state;

test("the call alert names the caller; with no choice the call is recorded as before", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  const { t, client } = app;
  const since = client.events.length;
  const audio = await callerAudio(work, 2000);
  const run = runSipp(sipp.path!, t.app.ports.sip!, "icw-call.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template: { sdp_port: "[media_port]", audio, wait_ms: "500", audio_ms: "2300" },
    workDir: work,
  });
  const alert = await client.waitFor(isAlert, 15_000, since);
  assert.deepEqual(alert.from, { ani: "15551234", name: "Sipp Caller" });
  assert.equal(alert.dnis, "15550001");
  assert.ok(!Number.isNaN(Date.parse(String(alert.decideBy))), "decideBy is an ISO time");

  const result = await run;
  assert.equal(result.code, 0, `sipp failed:\n${result.errors}\n${result.output.slice(-2000)}`);
  const recording = await client.waitFor(update(alert.callId, "recording"), 5000, since);
  assert.equal(recording.screenUrl, `/api/v1/calls/${alert.callId}/screen`);
  await client.waitFor(update(alert.callId, "ended"), 5000, since);

  // The deposit is the usual one: durable before the 200 to BYE, the caller's number on it.
  const messages = await t.app.store.voicemail.list("alice");
  const vm = messages.find((m) => m.id === alert.callId);
  assert.ok(vm, "the call left a voicemail under the alerted call id");
  assert.equal(vm.ani, "15551234");

  // ICW is a system like the others: the (default) choice is a communication of kind icw.
  const icw = await t.app.store.communications.findByNativeId("icw", `${alert.callId}#voicemail`);
  assert.ok(icw, "the choice was given to the gateway");
  assert.equal(icw.kind, "icw");
  assert.ok(icw.kind === "icw" && /No choice was made in time/.test(icw.body.text));
});

test("forward: sipp gets 302 with the chosen Contact; later actions are refused", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  const { t, client } = app;
  const since = client.events.length;
  const before = (await t.app.store.voicemail.list("alice")).length;
  const run = runSipp(sipp.path!, t.app.ports.sip!, "icw-forward.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template: { contact: "&lt;tel:\\+15559999&gt;" },
    workDir: work,
  });
  const alert = await client.waitFor(isAlert, 15_000, since);
  const callId = alert.callId;

  // A takeover needs a recording under way: while it rings it is refused, naming the field.
  client.send({ type: "call-action", callId, action: "takeover", to: "tel:+15550002" });
  const early = await client.waitFor((e) => e.type === "error" && e.callId === callId, 5000, since);
  assert.equal(early.field, "action");

  client.send({ type: "call-action", callId, action: "forward", to: "tel:+15559999" });
  const result = await run;
  assert.equal(result.code, 0, `sipp failed:\n${result.errors}\n${result.output.slice(-2000)}`);
  await client.waitFor(update(callId, "forwarded"), 5000, since);

  // The call is gone: another action for it is an error, not a crash.
  const mark = client.events.length;
  client.send({ type: "call-action", callId, action: "voicemail" });
  const late = await client.waitFor((e) => e.type === "error" && e.callId === callId, 5000, mark);
  assert.equal(late.field, "callId");

  assert.equal((await t.app.store.voicemail.list("alice")).length, before, "no deposit");
  const icw = await t.app.store.communications.findByNativeId("icw", `${callId}#forward`);
  assert.ok(icw?.kind === "icw" && /Forwarded to tel:\+15559999/.test(icw.body.text));
  // Routed like any other communication: by default to alice's email (and her web client).
  const mails = await sink.waitFor(3);
  const mail = mails.find((m) => /Forwarded to tel:\+15559999/.test(m.parsed.text ?? ""));
  assert.ok(mail, `no mail about the forward among ${mails.map((m) => m.parsed.subject)}`);
  assert.equal(mail.parsed.subject, "Call from Sipp Caller (15551234)");
});

test("bad call-action frames get error replies naming the field; the stream stays up", {
  skip: sipp.skip,
}, async () => {
  const { client } = app;
  const cases: Array<[unknown, string | undefined]> = [
    [{ type: "call-action", action: "voicemail" }, "callId"],
    [{ type: "call-action", callId: "c1", action: "answer" }, "action"],
    [{ type: "call-action", callId: "c1", action: "forward" }, "to"],
    [{ type: "call-action", callId: "c1", action: "forward", to: "mailto:bob@example.net" }, "to"],
    [{ type: "call-action", callId: "c1", action: "takeover", to: "tel:12ab" }, "to"],
    [{ type: "call-action", callId: "c1", action: "reply", text: "   " }, "text"],
    [{ type: "call-action", callId: "c1", action: "voicemail", extra: 1 }, "extra"],
    [{ type: "call-action", callId: "no-such-call", action: "voicemail" }, "callId"],
  ];
  for (const [frame, field] of cases) {
    const mark = client.events.length;
    client.send(frame);
    const reply = await client.waitFor((e) => e.type === "error", 5000, mark);
    assert.equal(reply.field, field, `${JSON.stringify(frame)} → ${JSON.stringify(reply)}`);
  }
  const mark = client.events.length;
  client.socket.send("{not json");
  const reply = await client.waitFor((e) => e.type === "error", 5000, mark);
  assert.match(String(reply.message), /not JSON/);
  // Still connected and served: a send on the same socket is answered.
  client.send({ type: "send", to: "mailto:bob@example.net", text: "still here", requestId: "r1" });
  await client.waitFor((e) => e.type === "sent" && e.requestId === "r1", 5000, mark);
});

// Two endpoints on real UDP sockets: a call placed by one and answered by the other, hung up
// from either side; the BYE is answered only after the answering side's work; CANCEL; 486.

import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { DialogRegistry } from "../dialog/registry.ts";
import { SipEndpoint } from "../endpoint.ts";
import { ManualClock } from "../transaction/timers.ts";
import { CallFailedError, placeCall } from "./invite-client.ts";
import { InviteServerSession } from "./invite-server.ts";

let a: SipEndpoint;
let b: SipEndpoint;
let dialogsA: DialogRegistry;
let dialogsB: DialogRegistry;
let bPort: number;
const sessions: InviteServerSession[] = [];
let onInvite: (s: InviteServerSession) => void = () => {};
let scheduler: ManualClock | undefined;

beforeEach(async () => {
  a = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20, t2: 80 } });
  b = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20, t2: 80 } });
  await a.start();
  bPort = (await b.start()).udp!.port;
  dialogsA = new DialogRegistry(a);
  dialogsB = new DialogRegistry(b);
  b.onRequest(
    (req) => {
      const s = new InviteServerSession(req, {
        endpoint: b,
        dialogs: dialogsB,
        localContact: `sip:b@127.0.0.1:${bPort}`,
        t1: 20,
        t2: 80,
        ...(scheduler ? { scheduler } : {}),
      });
      sessions.push(s);
      onInvite(s);
    },
    { methods: ["INVITE"] },
  );
});

afterEach(async () => {
  sessions.length = 0;
  onInvite = () => {};
  scheduler = undefined;
  await a.stop();
  await b.stop();
});

const call = (extra: Partial<Parameters<typeof placeCall>[0]> = {}) =>
  placeCall({
    endpoint: a,
    dialogs: dialogsA,
    uri: `sip:alice@127.0.0.1:${bPort}`,
    dest: { host: "127.0.0.1", port: bPort, transport: "udp" },
    from: { uri: "sip:caller@127.0.0.1", displayName: "Caller" },
    localContact: `sip:caller@127.0.0.1:${a.localAddress("udp")!.port}`,
    offer: Buffer.from("v=0\r\n"),
    ...extra,
  });

test("a call is answered, and the caller's BYE waits for the answering side's work", async () => {
  let workDone = false;
  onInvite = (s) => {
    s.ring();
    s.beforeByeResponse(async () => {
      await new Promise((r) => setTimeout(r, 30));
      workDone = true;
    });
    void s.accept(Buffer.from("v=0 answer\r\n"));
  };
  const session = await call();
  assert.equal(session.answer.toString(), "v=0 answer\r\n");
  const server = sessions[0]!;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(server.state, "confirmed");
  await session.hangup();
  assert.equal(workDone, true, "the 200 to BYE came after the work");
  assert.equal(await server.ended, "remote-bye");
  assert.equal(await session.ended, "local-bye");
});

test("the answering side hangs up; the caller sees a remote BYE", async () => {
  onInvite = (s) => void s.accept(Buffer.from("v=0\r\n"));
  const session = await call();
  await sessions[0]!.hangup();
  assert.equal(await session.ended, "remote-bye");
  assert.equal(await sessions[0]!.ended, "local-bye");
});

test("a rejected call is a CallFailedError with the status", async () => {
  onInvite = (s) => s.reject({ status: 486, reason: "Busy Here" });
  await assert.rejects(call(), (e: unknown) => e instanceof CallFailedError && e.status === 486);
  assert.equal(await sessions[0]!.ended, "rejected");
});

test("an unanswered call is cancelled after the answer timeout: 487", async () => {
  onInvite = (s) => s.ring();
  await assert.rejects(
    call({ answerTimeoutMs: 50 }),
    (e: unknown) => e instanceof CallFailedError && e.status === 487,
  );
  assert.equal(await sessions[0]!.ended, "cancelled");
});

test("an in-dialog request for an unknown dialog gets 481", async () => {
  onInvite = (s) => void s.accept(Buffer.from("v=0\r\n"));
  const session = await call();
  const bye = session.dialog.request("BYE");
  bye.headers.set("To", bye.headers.get("to")!.replace(/tag=[^;]+/, "tag=nope"));
  const res = await a.sendRequest(bye, session.dialog.state.destination);
  assert.equal(res.status, 481);
  await session.hangup();
});

test("the 180 and 200 carry the INVITE's Record-Route in order; ACK and BYE follow it", async () => {
  const acks: string[][] = [];
  b.onAck((ack) => acks.push(ack.message.headers.getAll("route")));
  const provisional: string[][] = [];
  onInvite = (s) => {
    s.ring();
    void s.accept(Buffer.from("v=0\r\n"));
  };
  // Bottom Record-Route is the proxy next to the caller: here b itself, so the ACK reaches it.
  const rr = ["<sip:far.invalid;lr>", `<sip:127.0.0.1:${bPort};lr;near=caller>`];
  const session = await call({
    headers: rr.map((r): [string, string] => ["Record-Route", r]),
    onProvisional: (res) => provisional.push(res.headers.getAll("record-route")),
  });
  assert.deepEqual(provisional.at(-1), rr, "the 180 with a To tag carries them");
  assert.deepEqual(session.dialog.state.routeSet, [...rr].reverse(), "so did the 200");
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(sessions[0]!.state, "confirmed", "the ACK went to the first route");
  assert.deepEqual(acks[0], [...rr].reverse());
  assert.deepEqual(sessions[0]!.dialog!.state.routeSet, rr);
  assert.equal(sessions[0]!.dialog!.state.destination.host, "far.invalid");
  await session.hangup();
  assert.equal(await sessions[0]!.ended, "remote-bye");
});

test("a preloaded route set (a Path) sends the INVITE to its first hop with Route", async () => {
  let seen: { uri: string; routes: string[] } | undefined;
  onInvite = (s) => {
    seen = { uri: s.invite.message.uri, routes: s.invite.message.headers.getAll("route") };
    void s.accept(Buffer.from("v=0\r\n"));
  };
  const route = `<sip:127.0.0.1:${bPort};lr>`;
  const session = await call({
    uri: "sip:bob@10.255.255.1:5999",
    dest: { host: "192.0.2.1", port: 9, transport: "udp" },
    routes: [route],
  });
  assert.deepEqual(seen, { uri: "sip:bob@10.255.255.1:5999", routes: [route] });
  await session.hangup();
});

const settle = () => new Promise((r) => setTimeout(r, 100));

test("session timer, peer refreshes (RFC 4028): no refresh in time ends the call with our BYE", async () => {
  scheduler = new ManualClock();
  onInvite = (s) => void s.accept(Buffer.from("v=0\r\n"));
  const session = await call({
    headers: [
      ["Supported", "timer"],
      ["Session-Expires", "90;refresher=uac"],
    ],
  });
  await settle();
  const server = sessions[0]!;
  // The caller refreshes with an UPDATE at 40 s: the interval starts again.
  scheduler.advance(40_000);
  const update = session.dialog.request("UPDATE", {
    headers: [
      ["Supported", "timer"],
      ["Session-Expires", "90;refresher=uac"],
    ],
  });
  const res = await a.sendRequest(update, session.dialog.state.destination);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("session-expires"), "90;refresher=uac");
  assert.equal(res.headers.get("require"), "timer");
  scheduler.advance(59_000);
  await settle();
  assert.equal(server.state, "confirmed", "the refresh restarted the interval");
  scheduler.advance(1000); // 60 s after the refresh: 90 s less a third
  assert.equal(await session.ended, "remote-bye");
  assert.equal(await server.ended, "local-bye");
});

test("session timer: too small an interval gets 422 with Min-SE", async () => {
  onInvite = (s) => void s.accept(Buffer.from("v=0\r\n"));
  await assert.rejects(
    call({
      headers: [
        ["Supported", "timer"],
        ["Session-Expires", "30"],
      ],
    }),
    (e: unknown) => e instanceof CallFailedError && e.status === 422,
  );
  assert.equal(await sessions[0]!.ended, "rejected");
});

test("session timer, we refresh: a re-INVITE at half the interval keeps the call up", async () => {
  scheduler = new ManualClock();
  onInvite = (s) => void s.accept(Buffer.from("v=0\r\n"));
  const session = await call({
    headers: [
      ["Supported", "timer"],
      ["Session-Expires", "100;refresher=uas"],
    ],
  });
  await settle();
  const server = sessions[0]!;
  const before = a.stats.received;
  scheduler.advance(50_000);
  await settle();
  assert.ok(a.stats.received > before, "the refresh reached the caller");
  scheduler.advance(49_000);
  await settle();
  assert.equal(server.state, "confirmed");
  let ended = false;
  void session.ended.then(() => {
    ended = true;
  });
  await settle();
  assert.equal(ended, false);
  await session.hangup();
});

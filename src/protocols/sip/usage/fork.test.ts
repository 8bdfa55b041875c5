// Parallel forking between real UDP endpoints: one caller, two phones. The first 2xx wins and the
// other phone is cancelled; a second 2xx after the first is ACKed and hung up; when every phone
// fails the most telling response is reported.

import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { DialogRegistry } from "../dialog/registry.ts";
import { SipEndpoint } from "../endpoint.ts";
import { bestFailure, type ForkControl, ForkFailedError, forkCall } from "./fork.ts";
import { CallFailedError } from "./invite-client.ts";
import { InviteServerSession } from "./invite-server.ts";

interface Phone {
  endpoint: SipEndpoint;
  port: number;
  sessions: InviteServerSession[];
  onInvite: (s: InviteServerSession) => void;
}

let caller: SipEndpoint;
let callerDialogs: DialogRegistry;
let phones: Phone[] = [];

async function phone(): Promise<Phone> {
  const endpoint = new SipEndpoint({
    udp: { host: "127.0.0.1", port: 0 },
    timers: { t1: 20, t2: 80 },
  });
  const port = (await endpoint.start()).udp!.port;
  const dialogs = new DialogRegistry(endpoint);
  const p: Phone = { endpoint, port, sessions: [], onInvite: () => {} };
  endpoint.onRequest(
    (req) => {
      const s = new InviteServerSession(req, {
        endpoint,
        dialogs,
        localContact: `sip:phone@127.0.0.1:${port}`,
        t1: 20,
        t2: 80,
      });
      p.sessions.push(s);
      p.onInvite(s);
    },
    { methods: ["INVITE"] },
  );
  return p;
}

beforeEach(async () => {
  caller = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20, t2: 80 } });
  await caller.start();
  callerDialogs = new DialogRegistry(caller);
  phones = [await phone(), await phone()];
});

afterEach(async () => {
  await caller.stop();
  for (const p of phones) await p.endpoint.stop();
});

const ring = (answerTimeoutMs?: number, control?: ForkControl) =>
  forkCall(
    {
      endpoint: caller,
      dialogs: callerDialogs,
      from: { uri: "sip:omnivox@127.0.0.1" },
      localContact: `sip:omnivox@127.0.0.1:${caller.localAddress("udp")!.port}`,
      offer: Buffer.from("v=0 offer\r\n"),
      ...(answerTimeoutMs ? { answerTimeoutMs } : {}),
    },
    phones.map((p) => ({
      uri: `sip:alice@127.0.0.1:${p.port}`,
      dest: { host: "127.0.0.1", port: p.port, transport: "udp" as const },
    })),
    control,
  );

test("both phones ring; the one that answers wins, the other is cancelled", async () => {
  const [first, second] = phones as [Phone, Phone];
  first.onInvite = (s) => s.ring();
  second.onInvite = (s) => {
    s.ring();
    setTimeout(() => void s.accept(Buffer.from("v=0 answer\r\n")), 100);
  };
  const session = await ring();
  assert.equal(session.answer.toString(), "v=0 answer\r\n");
  assert.equal(await first.sessions[0]!.ended, "cancelled");
  assert.equal(second.sessions[0]!.state, "confirmed");
  await session.hangup();
  assert.equal(await second.sessions[0]!.ended, "remote-bye");
});

test("a phone that answers after another did gets ACK and BYE", async () => {
  // Both answer at once, before any CANCEL could reach them: one 200 arrives second.
  phones.forEach((p, i) => {
    p.onInvite = (s) => void s.accept(Buffer.from(`v=0 phone ${i}\r\n`));
  });
  const session = await ring();
  const won = Number(/phone (\d)/.exec(session.answer.toString())?.[1]);
  const winner = phones[won]!;
  const loser = phones[1 - won]!;
  // The late one was confirmed by our ACK, then hung up by our BYE.
  assert.equal(await loser.sessions[0]!.ended, "remote-bye");
  assert.equal(winner.sessions[0]!.state, "confirmed");
  await session.hangup();
  assert.equal(await winner.sessions[0]!.ended, "remote-bye");
});

test("busy on one phone, unanswered on the other: busy is reported", async () => {
  const [first, second] = phones as [Phone, Phone];
  first.onInvite = (s) => s.reject({ status: 486, reason: "Busy Here" });
  second.onInvite = (s) => s.ring();
  await assert.rejects(
    ring(150),
    (e: unknown) =>
      e instanceof ForkFailedError &&
      e.status === 486 &&
      e.failures.length === 2 &&
      (e.failures[1] as CallFailedError).status === 487,
  );
  assert.equal(await second.sessions[0]!.ended, "cancelled");
});

test("an answer the wider fork does not admit is hung up, the other phone cancelled, 487 reported", async () => {
  const [first, second] = phones as [Phone, Phone];
  first.onInvite = (s) => s.ring();
  second.onInvite = (s) => void s.accept(Buffer.from("v=0 answer\r\n"));
  let asked = 0;
  const admit = async () => {
    asked++;
    return false;
  };
  await assert.rejects(
    ring(undefined, { admit }),
    (e: unknown) => e instanceof CallFailedError && e.status === 487,
  );
  assert.equal(asked, 1);
  assert.equal(await second.sessions[0]!.ended, "remote-bye");
  assert.equal(await first.sessions[0]!.ended, "cancelled");
});

test("an admitted answer wins as without a wider fork; admit is asked once", async () => {
  phones.forEach((p, i) => {
    p.onInvite = (s) => void s.accept(Buffer.from(`v=0 phone ${i}\r\n`));
  });
  let asked = 0;
  const session = await ring(undefined, { admit: async () => ++asked > 0 });
  assert.equal(asked, 1);
  const won = Number(/phone (\d)/.exec(session.answer.toString())?.[1]);
  assert.equal(await phones[1 - won]!.sessions[0]!.ended, "remote-bye");
  await session.hangup();
});

test("called off from outside: every ringing phone is cancelled and 487 reported", async () => {
  for (const p of phones) p.onInvite = (s) => s.ring();
  const off = new AbortController();
  const ringing = ring(undefined, { signal: off.signal });
  await new Promise((r) => setTimeout(r, 150));
  off.abort();
  await assert.rejects(ringing, (e: unknown) => e instanceof CallFailedError && e.status === 487);
  for (const p of phones) assert.equal(await p.sessions[0]!.ended, "cancelled");
});

test("the most telling failure: 6xx, then busy, then other 4xx, then timeouts", () => {
  const f = (s: number) => new CallFailedError(s, String(s));
  assert.equal((bestFailure([f(487), f(603), f(486)]) as CallFailedError).status, 603);
  assert.equal((bestFailure([f(480), f(486), f(503)]) as CallFailedError).status, 486);
  assert.equal(
    (bestFailure([new Error("timer B"), f(503), f(404)]) as CallFailedError).status,
    404,
  );
  assert.equal((bestFailure([new Error("timer B"), f(487)]) as CallFailedError).status, 487);
});

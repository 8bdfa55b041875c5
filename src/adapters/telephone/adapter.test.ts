// The outbound telephone adapter: which failures the outbox retries, the Diversion header and its
// checks, where tel: and sip: addresses are called, the caller identity, and — over real SIP/RTP
// between two endpoints — a replay deposited into a "legacy" box for the station it names, which
// honours the route option `transcribe: false`.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError, ValidationError } from "../../core/errors.ts";
import type { AudioRendition, TextRendition } from "../../core/rendition.ts";
import { generateSweep } from "../../media/pcm.ts";
import { WavError } from "../../media/wav.ts";
import { SipTimeoutError } from "../../protocols/sip/endpoint.ts";
import { CallFailedError } from "../../protocols/sip/usage/invite-client.ts";
import {
  type CallPlayer,
  callAndPlay,
  callerIdentity,
  diversionHeader,
  phoneLocator,
  routeOfSipUri,
  TelephoneAdapter,
} from "./adapter.ts";
import { Prompts } from "./prompts.ts";
import { type DepositedMessage, TelephoneService } from "./service.ts";

const silent = pino({ level: "silent" });
const mail = {
  id: "c1",
  kind: "email",
  userId: "alice",
  direction: "inbound",
  from: { scheme: "mailto", email: "bob@example.net", name: 'Bob "B"\r\nX-Evil: 1' },
  to: { scheme: "mailto", email: "alice@example.com" },
  receivedAt: new Date(),
  thread: { threadId: "c1" },
  nativeRefs: [],
  warnings: [],
  body: { text: "Please call me back" },
} as Communication;
const speech: AudioRendition = { medium: "voice", audioId: "tts-c1", durationMs: 500, notes: [] };
const route = {
  uri: "sip:alice@127.0.0.1:5099",
  dest: { host: "127.0.0.1", port: 5099, transport: "udp" as const },
};

function failingPlayer(err: Error): CallPlayer {
  return { playOnPhone: () => Promise.reject(err) };
}

describe("callAndPlay", () => {
  const req = { route, pcm: new Int16Array(160), from: { uri: "sip:omnivox@x" } };
  const rejected = async (err: Error) => {
    try {
      await callAndPlay(failingPlayer(err), req);
    } catch (e) {
      assert.ok(e instanceof DeliveryError, String(e));
      return e;
    }
    throw new Error("did not reject");
  };

  test("busy, no answer, timer B and transport errors are retried; 404 and 488 are not", async () => {
    for (const status of [486, 480, 487, 408, 503, 603]) {
      const e = await rejected(new CallFailedError(status, "x"));
      assert.equal(e.permanent, false, `${status}`);
      assert.match(e.message, new RegExp(`${status} x; will try again later`));
    }
    assert.equal((await rejected(new SipTimeoutError("no response (timer B)"))).permanent, false);
    assert.equal((await rejected(new Error("connect ECONNREFUSED"))).permanent, false);
    for (const status of [404, 484, 488, 604]) {
      assert.equal((await rejected(new CallFailedError(status, "x"))).permanent, true);
    }
  });

  test("Diversion names the station (RFC 5806); anything that could inject is refused", async () => {
    assert.equal(
      diversionHeader({ station: "2001", host: "pbx.example" }),
      "<sip:2001@pbx.example>;reason=no-answer;counter=1",
    );
    assert.equal(
      diversionHeader({ station: "+15550001", host: "10.0.0.1:5080", reason: "user-busy" }),
      "<sip:+15550001@10.0.0.1:5080>;reason=user-busy;counter=1",
    );
    assert.throws(() => diversionHeader({ station: "20>01", host: "x" }), ValidationError);
    assert.throws(() => diversionHeader({ station: "1", host: "a\r\nB: c" }), ValidationError);
    const seen: Array<Array<[string, string]> | undefined> = [];
    const player: CallPlayer = {
      playOnPhone: async (o) => {
        seen.push(o.headers);
        return { playedMs: 1, packetsReceived: 0, callId: "cid" };
      },
    };
    await callAndPlay(player, { ...req, diversion: { station: "2001", host: "pbx" } });
    assert.deepEqual(seen[0], [["Diversion", "<sip:2001@pbx>;reason=no-answer;counter=1"]]);
  });
});

describe("phoneLocator and callerIdentity", () => {
  const locate = phoneLocator({
    ownerOf: async (n) => (n === "+15550001" ? "alice" : undefined),
    phonesOf: () =>
      [
        "sip:alice@10.1.1.1:5062;transport=tcp",
        "sip:alice@127.0.0.1:5060",
        "sips:alice@10.1.1.2",
      ].flatMap((c) => routeOfSipUri(c) ?? []),
    self: { host: "127.0.0.1", port: 5060 },
  });

  test("a user's number rings their registered phones, never our own listener", async () => {
    const routes = await locate({ scheme: "tel", number: "+15550001" });
    assert.deepEqual(routes, [
      {
        uri: "sip:alice@10.1.1.1:5062;transport=tcp",
        dest: { host: "10.1.1.1", port: 5062, transport: "tcp" },
      },
      { uri: "sips:alice@10.1.1.2", dest: { host: "10.1.1.2", port: 5061, transport: "tls" } },
    ]);
  });

  test("a number no user has, or a URI over no transport we have, can never be called: permanent", async () => {
    await assert.rejects(
      locate({ scheme: "tel", number: "+4930123" }),
      (e: unknown) => e instanceof DeliveryError && e.permanent && /no PSTN trunk/.test(e.message),
    );
    await assert.rejects(locate({ scheme: "sip", uri: "sip:bob@x;transport=sctp" }), DeliveryError);
    assert.deepEqual(await locate({ scheme: "sip", uri: "sip:bob@x:5070;transport=TLS" }), [
      { uri: "sip:bob@x:5070;transport=TLS", dest: { host: "x", port: 5070, transport: "tls" } },
    ]);
    assert.deepEqual(await locate({ scheme: "sip", uri: "sip:bob@pbx.test" }), [
      { uri: "sip:bob@pbx.test", dest: { host: "pbx.test", port: 5060, transport: "udp" } },
    ]);
  });

  test("the phone shows the sender; control characters never reach the From header", () => {
    const id = callerIdentity(mail, "um.test");
    assert.equal(id.uri, "sip:omnivox@um.test");
    assert.equal(id.displayName, "Bob B X-Evil: 1");
    const vm = { ...mail, kind: "voicemail", ani: "15551234", callerName: "Carol" };
    assert.deepEqual(callerIdentity(vm as Communication, "um.test"), {
      uri: "sip:15551234@um.test",
      displayName: "Carol",
    });
  });
});

describe("TelephoneAdapter.send", () => {
  const adapter = (player: CallPlayer, routes = [route, route]) =>
    new TelephoneAdapter({
      player,
      loadPcm: async (id) => (id === "tts-c1" ? new Int16Array(800) : undefined),
      locate: async () => routes,
      domain: "um.test",
      logger: silent,
    });
  const target = {
    deliveryId: "d",
    address: { scheme: "tel" as const, number: "+1555" },
    attempt: 1,
  };

  test("text, missing or corrupt audio: permanent; no registered phone: retried", async () => {
    const a = adapter(failingPlayer(new Error("unused")));
    assert.equal(a.handles({ scheme: "sip", uri: "sip:x@y" }), true);
    assert.equal(a.handles({ scheme: "mailto", email: "a@b.c" }), false);
    const text: TextRendition = { medium: "text", subject: "s", text: "t", from: "f", notes: [] };
    await assert.rejects(
      a.send(mail, text, target),
      (e: unknown) => (e as DeliveryError).permanent,
    );
    await assert.rejects(
      a.send(mail, { ...speech, audioId: "gone" }, target),
      (e: unknown) => (e as DeliveryError).permanent,
    );
    const corrupt = new TelephoneAdapter({
      player: failingPlayer(new Error("unused")),
      loadPcm: async () => {
        throw new WavError("not a RIFF file");
      },
      locate: async () => [route],
      domain: "um.test",
      logger: silent,
    });
    await assert.rejects(
      corrupt.send(mail, speech, target),
      (e: unknown) => e instanceof DeliveryError && e.permanent && /not a RIFF/.test(e.message),
    );
    await assert.rejects(
      adapter(failingPlayer(new Error("unused")), []).send(mail, speech, target),
      (e: unknown) => e instanceof DeliveryError && !e.permanent && /registered/.test(e.message),
    );
  });

  test("a call that could outlast the outbox lease is never placed (no second ringing)", async () => {
    let calls = 0;
    const player: CallPlayer = {
      playOnPhone: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 50)); // it rang a while
        throw new CallFailedError(486, "Busy Here");
      },
    };
    const long = new TelephoneAdapter({
      player,
      loadPcm: async () => new Int16Array(8000 * 40),
      locate: async () => [route, route],
      domain: "um.test",
      maxAttemptMs: 55_000,
      logger: silent,
    });
    await assert.rejects(
      long.send(mail, speech, target),
      (e: unknown) =>
        e instanceof DeliveryError &&
        e.permanent &&
        /longer than a delivery attempt/.test(e.message),
    );
    assert.equal(calls, 0);
    // Room for one call only (10 s ringing + 44.99 s of audio in 55 s): the second phone waits
    // for the next attempt.
    const one = new TelephoneAdapter({
      player,
      loadPcm: async () => new Int16Array(8 * 44_990),
      locate: async () => [route, route],
      domain: "um.test",
      answerTimeoutMs: 10_000,
      maxAttemptMs: 55_000,
      logger: silent,
    });
    await assert.rejects(
      one.send(mail, speech, target),
      (e: unknown) => !(e as DeliveryError).permanent,
    );
    assert.equal(calls, 1);
  });

  test("the next phone is tried when one is busy; the Call-ID is the native id", async () => {
    let calls = 0;
    const player: CallPlayer = {
      playOnPhone: async () => {
        calls++;
        if (calls === 1) throw new CallFailedError(486, "Busy Here");
        return { playedMs: 100, packetsReceived: 5, callId: "call-2@x" };
      },
    };
    assert.equal(await adapter(player).send(mail, speech, target), "call-2@x");
    const e = await adapter(failingPlayer(new CallFailedError(486, "Busy Here")))
      .send(mail, speech, target)
      .catch((err: unknown) => err);
    assert.ok(e instanceof DeliveryError && !e.permanent);
  });
});

describe("a replay deposited into a legacy box by a SIP call with Diversion", () => {
  let work: string;
  let caller: TelephoneService;
  let box: TelephoneService;
  let boxPort = 0;
  const deposits: DepositedMessage[] = [];
  let sttStarts = 0;
  let deposited: () => void = () => {};
  const arrived = new Promise<void>((r) => {
    deposited = r;
  });

  const service = async (rtp: string, onDeposit?: (m: DepositedMessage) => void) =>
    new TelephoneService(
      {
        listen: { host: "127.0.0.1", port: 0 },
        mediaAddress: "127.0.0.1",
        rtpPorts: rtp,
        voicemail: { maxMessageMs: 20_000, silenceMs: 3000, minMessageMs: 500, silenceLevel: 200 },
        tmpDir: join(work, `tmp-${rtp}`),
      },
      {
        logger: silent,
        prompts: await Prompts.load(),
        // The legacy box knows station 2001 as bob's box; the dialled number is its pilot.
        mailboxFor: async (n) => (n === "2001" ? "bob" : undefined),
        identifyCaller: async () => undefined,
        greetingFor: async () => undefined,
        deposit: async (m) => {
          onDeposit?.(m);
        },
        mailbox: {
          verifyPin: async () => false,
          newMessages: async () => [],
          markSaved: async () => {},
          delete: async () => {},
          saveGreeting: async () => {},
        },
        // bob's route says `transcribe: false`: his messages never reach the STT engine.
        transcriber: {
          waitMs: 1000,
          start: () => {
            sttStarts++;
            return { write: () => {}, end: async () => ({ text: "heard" }), abort: () => {} };
          },
          late: async () => {},
        },
        transcribes: async (userId) => userId !== "bob",
      },
    );

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "omnivox-divert-"));
    const base = 36_000 + Math.floor(Math.random() * 200) * 20;
    caller = await service(`${base}-${base + 9}`);
    box = await service(`${base + 10}-${base + 19}`, (m) => {
      deposits.push(m);
      deposited();
    });
    await caller.start();
    boxPort = (await box.start()).port;
  });
  after(async () => {
    await caller?.stop();
    await box?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("the box files the message under the diverted station, with the whole replay", {
    timeout: 30_000,
  }, async () => {
    const pcm = generateSweep(300, 3000, 2000, 8000, 0.5);
    const played = await callAndPlay(caller, {
      route: {
        uri: `sip:8000@127.0.0.1:${boxPort}`,
        dest: { host: "127.0.0.1", port: boxPort, transport: "udp" },
      },
      pcm,
      from: { uri: "sip:15551234@um.test", displayName: "Carol" },
      diversion: { station: "2001", host: "legacy.test" },
      // Skip the box's greeting as a caller would (RFC 4733 #), then wait out its beep.
      before: { digits: "#", pauseMs: 200 },
    });
    assert.ok(played.callId.length > 0);
    await arrived;
    const m = deposits[0]!;
    assert.equal(m.userId, "bob");
    assert.equal(m.party.divertedFrom, "2001");
    assert.equal(m.party.ani, "15551234");
    assert.ok(m.durationMs >= 1500 && m.durationMs <= 2600, `recorded ${m.durationMs} ms`);
    assert.equal(sttStarts, 0, "transcribe: false spends no STT");
    assert.equal(m.transcript, undefined);
  });
});

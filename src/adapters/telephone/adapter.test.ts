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
import { DeliveryError } from "../../core/errors.ts";
import type { DepositedMessage } from "../../core/mailbox.ts";
import type { AudioRendition, TextRendition } from "../../core/rendition.ts";
import { generateSweep } from "../../media/pcm.ts";
import { WavError } from "../../media/wav.ts";
import { SipTimeoutError } from "../../protocols/sip/endpoint.ts";
import { callerIdentity } from "../../protocols/sip/usage/caller-id.ts";
import { ForkFailedError } from "../../protocols/sip/usage/fork.ts";
import { CallFailedError } from "../../protocols/sip/usage/invite-client.ts";
import {
  type CallPlayer,
  callAndPlay,
  NOT_ALLOWED,
  phoneLocator,
  routeOfContact,
  TelephoneAdapter,
} from "./adapter.ts";
import { Prompts } from "./prompts.ts";
import { type PlayOnPhoneOptions, TelephoneService } from "./service.ts";
import { trunkOf } from "./trunks.ts";

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

  test("a call with a Diversion carries the header (RFC 5806)", async () => {
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
    contactsOf: async () => [
      { uri: "sip:alice@10.1.1.1:5062;transport=tcp" },
      { uri: "sip:alice@127.0.0.1:5060" },
      { uri: "sips:alice@10.1.1.2" },
    ],
    self: { host: "127.0.0.1", port: 5060 },
    domain: "um.test",
    userOf: async (u) => (u === "alice" || u === "+15550001" ? "alice" : undefined),
    trunks: [
      trunkOf({ id: "us", proxy: "sip.carrier.test", numbers: ["+1"] }),
      trunkOf({
        id: "local",
        proxy: "10.9.9.9:5080;transport=tcp",
        username: "acct",
        password: "pw",
        numbers: ["+1555", "4930"],
        fromDomain: "carrier.test",
      }),
    ],
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

  test("a number no user has leaves through the trunk whose prefix matches longest", async () => {
    assert.deepEqual(await locate({ scheme: "tel", number: "+15550100" }), [
      {
        uri: "sip:+15550100@10.9.9.9:5080;transport=tcp",
        dest: { host: "10.9.9.9", port: 5080, transport: "tcp" },
        trunk: {
          id: "local",
          fromDomain: "carrier.test",
          credentials: { username: "acct", password: "pw" },
        },
      },
    ]);
    // "+" is not significant: 4930… matches "4930" as +4930… does.
    assert.equal((await locate({ scheme: "tel", number: "+4930123" }))[0]?.trunk?.id, "local");
    assert.deepEqual(await locate({ scheme: "tel", number: "+12125550000" }), [
      {
        uri: "sip:+12125550000@sip.carrier.test",
        dest: { host: "sip.carrier.test", port: 5060, transport: "udp" },
        trunk: { id: "us", fromDomain: "sip.carrier.test" },
      },
    ]);
  });

  test("a number no trunk serves, or a sips: URI, can never be called: permanent", async () => {
    await assert.rejects(
      locate({ scheme: "tel", number: "+3312345" }),
      (e: unknown) =>
        e instanceof DeliveryError && e.permanent && /^no trunk for \+3312345/.test(e.message),
    );
    await assert.rejects(locate({ scheme: "sip", uri: "sips:bob@x" }), DeliveryError);
  });

  test("sip: is called only at sip.domain (the user's phones) and at trunks", async () => {
    const phones = await locate({ scheme: "sip", uri: "sip:alice@um.test" });
    assert.deepEqual(
      phones.map((r) => r.uri),
      ["sip:alice@10.1.1.1:5062;transport=tcp", "sips:alice@10.1.1.2"],
    );
    assert.equal((await locate({ scheme: "sip", uri: "sip:+15550001@UM.test" })).length, 2);
    const trunked = await locate({ scheme: "sip", uri: "sip:+331@10.9.9.9:5080" });
    assert.equal(trunked[0]?.trunk?.id, "local");
    assert.deepEqual(trunked[0]?.dest, { host: "10.9.9.9", port: 5080, transport: "tcp" });
    for (const uri of [
      "sip:bob@pbx.test",
      "sip:127.0.0.1:9",
      "sip:x@10.9.9.9:5081",
      "sip:nobody@um.test",
    ]) {
      await assert.rejects(
        locate({ scheme: "sip", uri }),
        (e: unknown) =>
          e instanceof DeliveryError &&
          e.permanent &&
          e.message === NOT_ALLOWED &&
          e.cause instanceof Error &&
          e.cause.message.includes(uri),
        uri,
      );
    }
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
    // Room for one call (10 s ringing + 44.99 s of audio in 55 s): both phones ring in that one
    // call, and a busy one is tried again on the next attempt.
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

  test("every phone rings in one call (forks); the Call-ID is the native id", async () => {
    const seen: PlayOnPhoneOptions[] = [];
    const player: CallPlayer = {
      playOnPhone: async (opts) => {
        seen.push(opts);
        return { playedMs: 100, packetsReceived: 5, callId: "call-2@x" };
      },
    };
    const other = { ...route, uri: "sip:alice@127.0.0.1:5098" };
    assert.equal(await adapter(player, [route, other]).send(mail, speech, target), "call-2@x");
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.uri, route.uri);
    assert.deepEqual(seen[0]?.forks, [{ uri: other.uri, dest: other.dest }]);
    assert.equal(seen[0]?.credentials, undefined);
    const e = await adapter(failingPlayer(new CallFailedError(486, "Busy Here")))
      .send(mail, speech, target)
      .catch((err: unknown) => err);
    assert.ok(e instanceof DeliveryError && !e.permanent);
  });

  test("a fork fails for good only when every phone refused for good", async () => {
    const busyAndGone = new ForkFailedError(486, "Busy Here", [
      new CallFailedError(486, "Busy Here"),
      new CallFailedError(404, "Not Found"),
    ]);
    const e1 = await adapter(failingPlayer(busyAndGone))
      .send(mail, speech, target)
      .catch((err: unknown) => err);
    assert.ok(e1 instanceof DeliveryError && !e1.permanent && /486 Busy/.test(e1.message));
    const allGone = new ForkFailedError(404, "Not Found", [
      new CallFailedError(404, "Not Found"),
      new CallFailedError(488, "Not Acceptable Here"),
    ]);
    const e2 = await adapter(failingPlayer(allGone))
      .send(mail, speech, target)
      .catch((err: unknown) => err);
    assert.ok(e2 instanceof DeliveryError && e2.permanent);
  });

  test("through a trunk: its credentials, and the sender's number as caller ID", async () => {
    const seen: PlayOnPhoneOptions[] = [];
    const player: CallPlayer = {
      playOnPhone: async (opts) => {
        seen.push(opts);
        return { playedMs: 100, packetsReceived: 5, callId: "t@x" };
      },
    };
    const trunked = {
      uri: "sip:+15550100@carrier.test",
      dest: { host: "10.0.0.9", port: 5060, transport: "udp" as const },
      trunk: {
        id: "c",
        fromDomain: "carrier.test",
        credentials: { username: "acct", password: "pw" },
      },
    };
    const a = new TelephoneAdapter({
      player,
      loadPcm: async () => new Int16Array(800),
      locate: async () => [trunked],
      domain: "um.test",
      numberOf: async (u) => (u === "alice" ? "+15550001" : undefined),
      logger: silent,
    });
    const sent = { ...mail, direction: "outbound", to: { scheme: "tel", number: "+15550100" } };
    await a.send(sent as Communication, speech, target);
    assert.equal(seen[0]?.from.uri, "sip:+15550001@carrier.test");
    assert.deepEqual(seen[0]?.credentials, { username: "acct", password: "pw" });
    assert.equal(seen[0]?.forks, undefined);
    // No number known for the sender: the trunk account stands in (never our domain).
    await a.send({ ...sent, userId: "bob" } as Communication, speech, target);
    assert.equal(seen[1]?.from.uri, "sip:acct@carrier.test");
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
        identifyCaller: async () => "other" as const,
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

describe("routeOfContact", () => {
  test("a phone registered through a proxy is called through its Path (RFC 3327 §5.3)", () => {
    const path = ["<sip:10.0.0.1:5070;transport=tcp;lr>", "<sip:core.example;lr>"];
    assert.deepEqual(routeOfContact({ uri: "sip:bob@192.168.1.20:5062", path }), {
      uri: "sip:bob@192.168.1.20:5062",
      dest: { host: "10.0.0.1", port: 5070, transport: "tcp" },
      routes: path,
    });
  });

  test("without a Path the Contact's host is the next hop; a Path that is no SIP URI: none", () => {
    assert.deepEqual(routeOfContact({ uri: "sip:bob@192.168.1.20:5062" }), {
      uri: "sip:bob@192.168.1.20:5062",
      dest: { host: "192.168.1.20", port: 5062, transport: "udp" },
    });
    assert.equal(routeOfContact({ uri: "sip:bob@h", path: ["<tel:+1555>"] }), undefined);
  });

  test("without a Path, the flow the phone registered on beats its Contact (behind NAT)", () => {
    const flow = { host: "203.0.113.7", port: 40_123, transport: "tcp" as const };
    assert.deepEqual(routeOfContact({ uri: "sip:bob@192.168.1.20:5062;transport=tcp", flow }), {
      uri: "sip:bob@192.168.1.20:5062;transport=tcp",
      dest: flow,
    });
    // A Path wins over the flow: the proxies must stay on the way.
    const path = ["<sip:10.0.0.1;lr>"];
    assert.equal(routeOfContact({ uri: "sip:bob@h", path, flow })?.dest.host, "10.0.0.1");
  });
});

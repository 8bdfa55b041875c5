// The legacy voicemail simulator itself, against independent parts of our stack: its NOTIFY
// bodies parse as RFC 3842 says, its subscriptions follow RFC 6665 (digest, refresh, Expires: 0),
// its SMDI frames match our GR-283 codec both ways, and a deposit call is recorded sample-exact.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, before, test } from "node:test";
import { decodeUlaw, encodeUlaw } from "../../../src/media/g711.ts";
import { parseMessageSummary } from "../../../src/protocols/mwi/index.ts";
import { RtpSession } from "../../../src/protocols/rtp/session.ts";
import { createOffer, formatSdp, parseAnswer, parseSdp } from "../../../src/protocols/sdp/index.ts";
import { DialogRegistry } from "../../../src/protocols/sip/dialog/registry.ts";
import { SipEndpoint } from "../../../src/protocols/sip/endpoint.ts";
import { placeCall } from "../../../src/protocols/sip/usage/invite-client.ts";
import { SmdiDecoder } from "../../../src/protocols/smdi/codec.ts";
import { encodeFrame } from "../../../src/protocols/smdi/index.ts";
import { TestPhone } from "../../support/sip-test-phone.ts";
import { until } from "../../support/until.ts";
import { LegacyVoicemailSim, SmdiPeer, summaryBody } from "./index.ts";

let sim: LegacyVoicemailSim;
before(async () => {
  sim = await new LegacyVoicemailSim({ auth: { username: "gw", password: "pw" } }).start();
});
after(() => sim.stop());

test("its message-summary bodies are RFC 3842 §5.2 text our parser reads back", () => {
  const body = summaryBody({
    new: 2,
    old: 4294967295,
    urgentNew: 1,
    context: [["From", "<sip:5551234@pstn>"]],
  });
  assert.equal(
    body,
    "Messages-Waiting: yes\r\nVoice-Message: 2/4294967295 (1/0)\r\n\r\nFrom: <sip:5551234@pstn>\r\n",
  );
  const r = parseMessageSummary(body);
  assert.ok(r.ok);
  assert.deepEqual(r.value.classes.voice, { new: 2, old: 4294967295, urgentNew: 1, urgentOld: 0 });
  assert.deepEqual(r.warnings, []);
});

test("SUBSCRIBE is challenged, granted, NOTIFYed at once and on change; Expires: 0 ends it", async () => {
  const dest = { host: "127.0.0.1", port: sim.port, transport: "udp" as const };
  const phone = new TestPhone("gw", "pw", dest, `127.0.0.1:${sim.port}`);
  await phone.start();
  try {
    const sub = await phone.subscribe([
      ["Event", "message-summary"],
      ["Expires", "60"],
    ]);
    assert.equal(sub.first.status, 401);
    assert.equal(sub.final.status, 200);
    assert.equal(sub.final.headers.get("expires"), "60");
    const [first] = await phone.waitNotifies(1);
    assert.match(first!.headers.get("subscription-state") ?? "", /^active;expires=(60|59)$/);
    assert.equal(first!.body.toString(), "Messages-Waiting: no\r\nVoice-Message: 0/0\r\n");
    await sim.mwi.set("gw", { new: 1, old: 3 });
    const [, second] = await phone.waitNotifies(2);
    assert.equal(second!.body.toString(), "Messages-Waiting: yes\r\nVoice-Message: 1/3\r\n");
    const un = await phone.resubscribe(sub.dialog!, 0);
    assert.equal(un.final.status, 200);
    const third = (await phone.waitNotifies(3))[2]!;
    assert.equal(third.headers.get("subscription-state"), "terminated;reason=timeout");
    assert.deepEqual(
      sim.mwi.seen.filter((s) => s.status === 200).map((s) => [s.expires, s.inDialog]),
      [
        ["60", false],
        ["0", true],
      ],
    );
    assert.equal(sim.mwi.active(), 0);
  } finally {
    await phone.stop();
  }
});

test("its SMDI frames and ours agree byte for byte, garbage is skipped", async () => {
  const peer = await SmdiPeer.listen();
  const { connect } = await import("node:net");
  const [host, port] = peer.address.split(":");
  const sock = connect({ host: host!, port: Number(port) });
  const decoder = new SmdiDecoder();
  const seen: unknown[] = [];
  sock.on("data", (b: Buffer) => seen.push(...decoder.push(b)));
  await peer.waitConnected();
  await new Promise<void>((resolve) => sock.once("connect", () => resolve()));
  peer.mwi("1234", true);
  peer.mwi("98765", false);
  await until("two MWI frames", () => seen.length === 2);
  assert.deepEqual(seen, [
    { kind: "mwi", on: true, station: "1234" },
    { kind: "mwi", on: false, station: "98765" },
  ]);
  sock.write("noise\r\n");
  sock.write(
    encodeFrame({
      kind: "call-detail",
      desk: "001",
      terminal: "0002",
      type: "N",
      forwardingStation: "1234",
      callingStation: "5551234",
    }),
  );
  sock.write(Buffer.from("\r\nMWI77 INV\r\n\x19", "latin1"));
  const frames = await peer.waitFrames(2);
  assert.deepEqual(frames, [
    {
      kind: "call-detail",
      desk: "001",
      terminal: "0002",
      type: "N",
      forwardingStation: "1234",
      callingStation: "5551234",
    },
    { kind: "mwi-error", station: "77", reason: "INV" },
  ]);
  assert.equal(peer.garbage, "noise\r\n");
  sock.destroy();
  await peer.close();
});

test("a deposit call is answered and its G.711 audio recorded with the Diversion seen", async () => {
  const caller = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20 } });
  const port = (await caller.start()).udp!.port;
  const dialogs = new DialogRegistry(caller);
  const rtpSocket = createSocket("udp4");
  await new Promise<void>((r) => rtpSocket.bind(0, "127.0.0.1", r));
  const offer = createOffer({
    address: "127.0.0.1",
    port: rtpSocket.address().port,
    sessionId: 1,
    sessionVersion: 1,
    codecs: ["PCMU"],
    telephoneEvent: false,
    ptime: 20,
  });
  const call = await placeCall({
    endpoint: caller,
    dialogs,
    uri: sim.uri("4000"),
    dest: { host: "127.0.0.1", port: sim.port, transport: "udp" },
    from: { uri: "sip:5551234@127.0.0.1" },
    localContact: `sip:gw@127.0.0.1:${port}`,
    offer: Buffer.from(formatSdp(offer)),
    headers: [["Diversion", "<sip:4000@omnivox.test>;reason=no-answer"]],
  });
  const answer = parseSdp(call.answer);
  assert.ok(answer.ok);
  const media = parseAnswer(answer.value, offer);
  assert.ok(media.ok);
  const rtp = new RtpSession({ socket: rtpSocket, remote: media.value.remote, payloadType: 0 });
  const pcm = Int16Array.from({ length: 1600 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
  await rtp.playPcm(pcm);
  const deposit = await sim.deposits.next(0);
  await until("ten packets", () => deposit.packets === 10);
  await call.hangup();
  rtp.close();
  const recorded = await deposit.done;
  const law = new Uint8Array(pcm.length);
  encodeUlaw(pcm, law);
  const expected = new Int16Array(pcm.length);
  decodeUlaw(law, expected);
  assert.deepEqual(recorded, expected);
  assert.equal(deposit.diversion, "<sip:4000@omnivox.test>;reason=no-answer");
  assert.equal(deposit.requestUri, sim.uri("4000"));
  assert.equal(typeof deposit.firstAudioAt, "number");
  dialogs.close();
  await caller.stop();
});

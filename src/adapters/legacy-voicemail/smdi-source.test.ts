// The SMDI MWI source, wired by the legacy voicemail system, against the simulator's SMDI peer on real
// TCP links in both roles: OP/RMV:MWI reported, INV for unknown stations, BLK while switched off,
// the last caller from omnivox's own MD frame; garbage and a link cut mid-frame change nothing.

import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { SmdiPeer } from "../../../test/peers/legacy-vm/index.ts";
import { RecordingSink, recordingLogger, settle } from "../../../test/peers/legacy-vm/support.ts";
import {
  type StartedLegacyVoicemail as LegacyVoicemail,
  startLegacyVoicemail,
} from "../../../test/support/legacy-voicemail.ts";
import { until } from "../../../test/support/until.ts";
import { configSchema } from "../../config/schema.ts";
import { SipEndpoint } from "../../protocols/sip/endpoint.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const smdi = (station: string, link = "pbx") => ({
  id: `box-${station}`,
  kind: "smdi" as const,
  link,
  station,
});

async function setup(role: "connect" | "listen") {
  const { logger, lines } = recordingLogger();
  const endpoint = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 } });
  const port = (await endpoint.start()).udp!.port;
  cleanups.push(() => endpoint.stop());
  let peer: SmdiPeer | undefined;
  if (role === "connect") peer = await SmdiPeer.listen();
  const entry =
    role === "connect"
      ? { id: "pbx", connect: peer!.address }
      : { id: "pbx", listen: "127.0.0.1:0" };
  const sink = new RecordingSink();
  const lv: LegacyVoicemail = await startLegacyVoicemail(configSchema.parse({ smdi: [entry] }), {
    endpoint,
    localContact: `sip:omnivox@127.0.0.1:${port}`,
    sink,
    logger,
  });
  cleanups.push(() => lv.stop());
  if (role === "listen") peer = SmdiPeer.dial(lv.smdiPorts.pbx!.port);
  const vm = peer!;
  cleanups.push(() => vm.close());
  await vm.waitConnected();
  return { lv, vm, sink, lines };
}

const on = { new: 1, old: 0, urgentNew: 0, urgentOld: 0 };
const off = { new: 0, old: 0, urgentNew: 0, urgentOld: 0 };

test("OP:MWI and RMV:MWI for a station a profile names are reported (we dial the box)", async () => {
  const { lv, vm, sink } = await setup("connect");
  await lv.smdi.sync("alice", [{ system: smdi("1234"), enabled: true }]);
  await until("link up", () => vm.connected);
  vm.mwi("1234", true);
  assert.deepEqual(await sink.nth("alice", "box-1234", 1), { counts: on });
  vm.mwi("1234", false);
  assert.deepEqual(await sink.nth("alice", "box-1234", 2), { counts: off });
  assert.deepEqual(vm.frames, [], "no refusal");
});

test("a station no profile names is answered INV, a switched-off one BLK (the box dials us)", async () => {
  const { lv, vm, sink } = await setup("listen");
  await lv.smdi.sync("alice", [{ system: smdi("1234"), enabled: false }]);
  vm.mwi("5555", true);
  vm.mwi("1234", true);
  assert.deepEqual(await vm.waitFrames(2), [
    { kind: "mwi-error", station: "5555", reason: "INV" },
    { kind: "mwi-error", station: "1234", reason: "BLK" },
  ]);
  assert.equal(sink.reports.length, 0);
  await lv.smdi.sync("alice", [{ system: smdi("1234"), enabled: true }]);
  vm.mwi("1234", true);
  assert.deepEqual(await sink.nth("alice", "box-1234", 1), { counts: on });
  // A user who is gone is synced with nothing: the station is unknown again.
  await lv.smdi.sync("alice", []);
  vm.mwi("1234", false);
  assert.deepEqual((await vm.waitFrames(3))[2], {
    kind: "mwi-error",
    station: "1234",
    reason: "INV",
  });
});

test("the last caller comes from the MD frame omnivox sent for the station", async () => {
  const { lv, vm, sink } = await setup("connect");
  await lv.smdi.sync("alice", [{ system: smdi("1234"), enabled: true }]);
  const before = Date.now();
  assert.ok(
    lv.smdi.callDetail("pbx", { type: "N", forwardingStation: "1234", callingStation: "5551234" }),
  );
  assert.deepEqual(await vm.waitFrames(1), [
    {
      kind: "call-detail",
      desk: "001",
      terminal: "0001",
      type: "N",
      forwardingStation: "1234",
      callingStation: "5551234",
    },
  ]);
  vm.mwi("1234", true);
  const report = await sink.nth("alice", "box-1234", 1);
  assert.equal(report.lastCaller?.ani, "5551234");
  assert.equal(report.lastCaller?.dnis, "1234");
  assert.ok(report.lastCaller!.at.getTime() >= before);
  assert.equal(lv.smdi.callDetail("nowhere", { type: "N", forwardingStation: "1" }), false);
});

test("garbage between frames is skipped with one log line, the frames around it count", async () => {
  const { lv, vm, sink, lines } = await setup("connect");
  await lv.smdi.sync("alice", [{ system: smdi("1234"), enabled: true }]);
  vm.raw("OP:MWI 1234!\x04");
  await sink.nth("alice", "box-1234", 1);
  vm.raw("\x00\xffline noise~~RMV:MW");
  vm.raw("I 1234!\x04");
  assert.deepEqual(await sink.nth("alice", "box-1234", 2), { counts: off });
  const garbage = lines.filter((l) => l.msg === "smdi: skipped garbage");
  assert.equal(garbage.length, 1);
  assert.equal(garbage[0]!.bytes, 14);
});

test("a link cut mid-frame drops the partial frame with one log line; the next link works", async () => {
  const { lv, vm, sink, lines } = await setup("listen");
  await lv.smdi.sync("alice", [{ system: smdi("1234"), enabled: true }]);
  vm.mwi("1234", true);
  await sink.nth("alice", "box-1234", 1);
  vm.raw("RMV:MWI 12");
  await settle(50);
  vm.drop();
  await until("the discarded frame logged", () =>
    lines.some((l) => l.msg === "smdi: partial frame discarded"),
  );
  assert.equal(lines.filter((l) => l.msg === "smdi: partial frame discarded").length, 1);
  assert.equal(sink.reports.length, 1, "the lamp is still on");
  const again = SmdiPeer.dial(lv.smdiPorts.pbx!.port);
  cleanups.push(() => again.close());
  await again.waitConnected();
  again.mwi("1234", false);
  assert.deepEqual(await sink.nth("alice", "box-1234", 2), { counts: off });
});

// Bad message-summary input from a legacy box: truncated and oversized
// bodies, counts over 2^32−1, a wrong content type, a NOTIFY cut short on the wire — no crash,
// the reported state stays as it was, one log line each; the subscription keeps working.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, before, test } from "node:test";
import { LegacyVoicemailSim } from "../../../test/peers/legacy-vm/index.ts";
import {
  type OmnivoxSide,
  omnivoxSide,
  sipSystem,
} from "../../../test/support/legacy-vm-omnivox.ts";
import { until } from "../../../test/support/until.ts";

let vm: LegacyVoicemailSim;
let gw: OmnivoxSide;

before(async () => {
  vm = await new LegacyVoicemailSim().start();
  gw = await omnivoxSide();
  await gw.source.sync("alice", [{ system: sipSystem("vm1", vm.uri("4000")), enabled: true }]);
  await gw.sink.nth("alice", "vm1", 1);
  await vm.mwi.set("4000", { new: 2, old: 1 });
  await gw.sink.nth("alice", "vm1", 2);
});

after(async () => {
  await gw.stop();
  await vm.stop();
});

/** Sends `body` into the subscription; returns the answer's status and the new log lines. */
async function inject(body: string, type?: string): Promise<{ status?: number; logged: string[] }> {
  const lines = gw.warnings().length;
  const reports = gw.sink.reports.length;
  await vm.mwi.notifyRaw("4000", body, type);
  const status = vm.mwi.notifies.at(-1)?.status;
  assert.equal(gw.sink.reports.length, reports, "no report");
  return {
    status,
    logged: gw
      .warnings()
      .slice(lines)
      .map((l) => l.msg),
  };
}

const REFUSED = "legacy voicemail: NOTIFY refused, state kept";
const UNUSABLE = "legacy voicemail: message summary unusable, state kept";

test("a body cut short before its status line is refused 400, one log line", async () => {
  assert.deepEqual(await inject("Messages-Wai"), { status: 400, logged: [REFUSED] });
  assert.deepEqual(await inject(""), { status: 200, logged: [] }, "no body: nothing to read");
});

test("a body cut short inside the counts keeps the state, one log line", async () => {
  assert.deepEqual(await inject("Messages-Waiting: yes\r\nVoice-Mess"), {
    status: 200,
    logged: [UNUSABLE],
  });
});

test("an oversized body is refused 400, one log line", async () => {
  const body = `Messages-Waiting: yes\r\nVoice-Message: 9/9\r\n\r\n${"X-Pad: 0123456789\r\n".repeat(1200)}`;
  assert.ok(Buffer.byteLength(body) > 16 * 1024);
  assert.deepEqual(await inject(body), { status: 400, logged: [REFUSED] });
});

test("counts over 2^32−1 keep the state, one log line; 2^32−1 itself is taken", async () => {
  for (const line of ["4294967296/0", "1/0 (99999999999999999999/0)"]) {
    assert.deepEqual(await inject(`Messages-Waiting: yes\r\nVoice-Message: ${line}\r\n`), {
      status: 200,
      logged: [UNUSABLE],
    });
  }
  await vm.mwi.notifyRaw("4000", "Messages-Waiting: yes\r\nVoice-Message: 4294967295/0\r\n");
  const last = await gw.sink.nth("alice", "vm1", 3);
  assert.equal(last.counts.new, 4294967295);
});

test("a body of another type is refused 415, one log line", async () => {
  const r = await inject("<xml/>", "application/pidf+xml");
  assert.deepEqual(r, { status: 415, logged: [REFUSED] });
});

test("a NOTIFY whose body is shorter than its Content-Length is refused by the SIP layer", async () => {
  const sock = createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
  const answers: string[] = [];
  sock.on("message", (m) => answers.push(m.toString("latin1")));
  const body = "Messages-Waiting: yes\r\nVoice-Message: 8/0\r\n";
  const msg = [
    `NOTIFY sip:4000@127.0.0.1:${gw.port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${sock.address().port};branch=z9hG4bKcut1`,
    "From: <sip:4000@127.0.0.1>;tag=a",
    "To: <sip:4000@127.0.0.1>",
    "Call-ID: cut@127.0.0.1",
    "CSeq: 1 NOTIFY",
    "Max-Forwards: 70",
    "Event: message-summary",
    "Content-Type: application/simple-message-summary",
    `Content-Length: ${body.length + 40}`,
    "",
    body,
  ].join("\r\n");
  const debugBefore = gw.lines.filter((l) => l.msg === "sip message refused").length;
  const reports = gw.sink.reports.length;
  sock.send(msg, gw.port, "127.0.0.1");
  await until("the answer", () => answers.length > 0);
  sock.close();
  assert.match(answers[0]!, /^SIP\/2\.0 400 /);
  assert.equal(gw.lines.filter((l) => l.msg === "sip message refused").length, debugBefore + 1);
  assert.equal(gw.sink.reports.length, reports);
});

test("after all that the subscription still reports the next good NOTIFY", async () => {
  const count = gw.sink.reports.length;
  await vm.mwi.set("4000", { new: 6, old: 2 });
  const next = await gw.sink.nth("alice", "vm1", count + 1);
  assert.deepEqual(next.counts, { new: 6, old: 2, urgentNew: 0, urgentOld: 0 });
  assert.equal(vm.mwi.active("4000"), 1);
});

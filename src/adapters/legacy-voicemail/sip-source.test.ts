// The SIP MWI source against the legacy voicemail simulator: subscribe and report each NOTIFY,
// digest, refresh, re-subscribe after termination, Expires: 0 when switched off and back on,
// and unsolicited NOTIFYs (403 from hosts no profile names).

import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { LegacyVoicemailSim } from "../../../test/peers/legacy-vm/index.ts";
import { settle } from "../../../test/peers/legacy-vm/support.ts";
import {
  type OmnivoxSide,
  omnivoxSide,
  sipSystem,
} from "../../../test/support/legacy-vm-omnivox.ts";
import { until } from "../../../test/support/until.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  vmOptions: ConstructorParameters<typeof LegacyVoicemailSim>[0] = {},
  side: Parameters<typeof omnivoxSide>[0] = {},
): Promise<{ vm: LegacyVoicemailSim; gw: OmnivoxSide }> {
  const vm = await new LegacyVoicemailSim(vmOptions).start();
  cleanups.push(() => vm.stop());
  const gw = await omnivoxSide(side);
  cleanups.push(() => gw.stop());
  return { vm, gw };
}

const zero = { new: 0, old: 0, urgentNew: 0, urgentOld: 0 };
/** What omnivox subscribes to the box with, and what the box authenticates its NOTIFYs with. */
const VM_CREDENTIAL = { host: "127.0.0.1", username: "omnivox", password: "vm-shared-secret" };

test("a subscription reports the box's state at once and every change after it", async () => {
  const { vm, gw } = await setup();
  await gw.source.sync("alice", [{ system: sipSystem("vm1", vm.uri("4000")), enabled: true }]);
  assert.deepEqual(await gw.sink.nth("alice", "vm1", 1), { counts: zero });
  await vm.mwi.set("4000", {
    new: 2,
    old: 1,
    urgentNew: 1,
    context: [
      ["From", "<sip:5551234@pstn.example>"],
      ["To", "<tel:+14085550000>"],
      ["Date", "Tue, 11 Mar 2025 09:12:44 +0100"],
    ],
  });
  assert.deepEqual(await gw.sink.nth("alice", "vm1", 2), {
    counts: { new: 2, old: 1, urgentNew: 1, urgentOld: 0 },
    lastCaller: { ani: "5551234", dnis: "+14085550000", at: new Date("2025-03-11T08:12:44Z") },
  });
  const before = Date.now();
  await vm.mwi.set("4000", { new: 3, old: 1 });
  const third = await gw.sink.nth("alice", "vm1", 3);
  assert.deepEqual(third.counts, { new: 3, old: 1, urgentNew: 0, urgentOld: 0 });
  // No message context: the arrival of the NOTIFY is the time, and no number is claimed.
  assert.deepEqual(Object.keys(third.lastCaller ?? {}), ["at"]);
  assert.ok(third.lastCaller!.at.getTime() >= before);
  await vm.mwi.set("4000", { new: 0, old: 4 });
  const fourth = await gw.sink.nth("alice", "vm1", 4);
  assert.deepEqual(fourth, { counts: { new: 0, old: 4, urgentNew: 0, urgentOld: 0 } });
  assert.equal(vm.mwi.seen[0]?.expires, "60");
});

test("a digest challenge is answered with the credentials of that host", async () => {
  const auth = { username: "omnivox", password: "s3cret", realm: "vm.test" };
  const { vm, gw } = await setup(
    { auth },
    { credentials: [{ host: "127.0.0.1", username: "omnivox", password: "s3cret" }] },
  );
  await gw.source.sync("alice", [{ system: sipSystem("vm1", vm.uri("4000")), enabled: true }]);
  await gw.sink.nth("alice", "vm1", 1);
  assert.deepEqual(
    vm.mwi.seen.map((s) => s.status),
    [0, 200],
    "challenged first, then granted",
  );
});

test("wrong credentials subscribe nothing and report nothing, with backoff between tries", async () => {
  const auth = { username: "omnivox", password: "right" };
  const { vm, gw } = await setup(
    { auth },
    { credentials: [{ host: "127.0.0.1", username: "omnivox", password: "wrong" }] },
  );
  await gw.source.sync("alice", [{ system: sipSystem("vm1", vm.uri("4000")), enabled: true }]);
  await until("a retry after the refusal", () => vm.mwi.seen.length >= 4);
  assert.equal(vm.mwi.active(), 0);
  assert.equal(gw.sink.reports.length, 0);
  assert.ok(vm.mwi.seen.every((s) => s.status === 0));
});

test("the subscription is refreshed in its dialog before it expires", async () => {
  const { vm, gw } = await setup({}, { expires: 2 });
  await gw.source.sync("alice", [{ system: sipSystem("vm1", vm.uri("4000")), enabled: true }]);
  await gw.sink.nth("alice", "vm1", 1);
  await until("a refresh", () => vm.mwi.seen.some((s) => s.inDialog), 4000);
  assert.deepEqual(vm.mwi.seen[1], { mailbox: "4000", expires: "2", inDialog: true, status: 200 });
  assert.equal(vm.mwi.active("4000"), 1);
  await vm.mwi.set("4000", { new: 5, old: 0 });
  await until("the change after the refresh", () =>
    gw.sink.of("alice", "vm1").some((r) => r.counts.new === 5),
  );
});

test("a terminated subscription is made again, at once and then with backoff", async () => {
  const { vm, gw } = await setup();
  await gw.source.sync("alice", [{ system: sipSystem("vm1", vm.uri("4000")), enabled: true }]);
  await gw.sink.nth("alice", "vm1", 1);
  for (const [round, reason] of [
    [2, "deactivated"],
    [3, "noresource"],
  ] as const) {
    await vm.mwi.terminate("4000", reason);
    await until(
      `new subscription #${round} after ${reason}`,
      () => vm.mwi.seen.filter((s) => !s.inDialog && s.status === 200).length === round,
    );
    await until("the new subscription live", () => vm.mwi.active("4000") === 1);
  }
  await vm.mwi.set("4000", { new: 1, old: 0 });
  await until("the change reported through the new subscription", () =>
    gw.sink.of("alice", "vm1").some((r) => r.counts.new === 1),
  );
});

test("switching MWI off unsubscribes with Expires: 0 and stops reports; on resumes them", async () => {
  const { vm, gw } = await setup();
  const system = sipSystem("vm1", vm.uri("4000"));
  await gw.source.sync("alice", [{ system, enabled: true }]);
  await gw.sink.nth("alice", "vm1", 1);
  await gw.source.sync("alice", [{ system, enabled: false }]);
  await until("the unsubscribe", () => vm.mwi.seen.some((s) => s.expires === "0"));
  assert.deepEqual(vm.mwi.seen.at(-1), {
    mailbox: "4000",
    expires: "0",
    inDialog: true,
    status: 200,
  });
  await until("no live subscription", () => vm.mwi.active() === 0);
  const count = gw.sink.reports.length;
  await vm.mwi.set("4000", { new: 7, old: 0 });
  await settle();
  assert.equal(gw.sink.reports.length, count, "no report while off");
  await gw.source.sync("alice", [{ system, enabled: true }]);
  const back = await gw.sink.nth("alice", "vm1", count + 1);
  assert.equal(back.counts.new, 7, "on again: the current state");
});

test("unsolicited NOTIFYs: 403 from a host no profile names, else matched by account or URI", async () => {
  const { vm, gw } = await setup({}, { credentials: [VM_CREDENTIAL] });
  const stranger = await new LegacyVoicemailSim({ host: "127.0.0.2" }).start();
  cleanups.push(() => stranger.stop());
  await gw.source.sync("alice", [{ system: sipSystem("vm1", vm.uri("4000")), enabled: false }]);
  await gw.source.sync("bob", [{ system: sipSystem("vm2", vm.uri("4001")), enabled: true }]);
  await gw.sink.nth("bob", "vm2", 1); // from bob's own subscription
  const omnivox = { host: "127.0.0.1", port: gw.port, transport: "udp" as const };
  const body = "Messages-Waiting: yes\r\nVoice-Message: 1/0\r\n";
  assert.equal(await stranger.unsolicited(omnivox, "sip:4001@127.0.0.1", body), 403);
  assert.equal(
    await vm.unsolicited(omnivox, "sip:4001@127.0.0.1", body, undefined, VM_CREDENTIAL),
    200,
  );
  assert.deepEqual((await gw.sink.nth("bob", "vm2", 2)).counts.new, 1);
  const account = `Messages-Waiting: yes\r\nMessage-Account: ${vm.uri("4001")}\r\nVoice-Message: 2/0\r\n`;
  assert.equal(
    await vm.unsolicited(omnivox, "sip:someone@127.0.0.1", account, undefined, VM_CREDENTIAL),
    200,
  );
  assert.deepEqual((await gw.sink.nth("bob", "vm2", 3)).counts.new, 2);
  assert.equal(
    await vm.unsolicited(omnivox, "sip:4999@127.0.0.1", body, undefined, VM_CREDENTIAL),
    481,
  );
  // Alice has MWI off for her box: the NOTIFY is taken, nothing is reported.
  assert.equal(
    await vm.unsolicited(omnivox, "sip:4000@127.0.0.1", body, undefined, VM_CREDENTIAL),
    200,
  );
  await settle(50);
  assert.equal(gw.sink.of("alice", "vm1").length, 0);
  assert.equal(gw.sink.reports.length, 3);
});

test("an unsolicited NOTIFY over UDP must prove the host (its credentials, or 403); TCP is taken", async () => {
  const udp = (gw: OmnivoxSide) => ({
    host: "127.0.0.1",
    port: gw.port,
    transport: "udp" as const,
  });
  const body = "Messages-Waiting: yes\r\nVoice-Message: 1/0\r\n";
  const watching = async (side: Parameters<typeof omnivoxSide>[0]) => {
    const s = await setup({}, side);
    await s.gw.source.sync("bob", [{ system: sipSystem("vm2", s.vm.uri("4001")), enabled: true }]);
    await s.gw.sink.nth("bob", "vm2", 1);
    return s;
  };
  // No credentials for the host: a forged source address would be all it takes, so 403.
  const bare = await watching({});
  assert.equal(await bare.vm.unsolicited(udp(bare.gw), "sip:4001@127.0.0.1", body), 403);
  assert.equal(bare.gw.sink.reports.length, 1, "nothing reported");

  // With credentials: challenged; the wrong password never gets in, the right one does.
  const { vm, gw } = await watching({ credentials: [VM_CREDENTIAL] });
  assert.equal(await vm.unsolicited(udp(gw), "sip:4001@127.0.0.1", body), 401);
  const wrong = { username: VM_CREDENTIAL.username, password: "guess" };
  assert.equal(await vm.unsolicited(udp(gw), "sip:4001@127.0.0.1", body, undefined, wrong), 401);
  assert.equal(gw.sink.reports.length, 1);
  const right = await vm.unsolicited(udp(gw), "sip:4001@127.0.0.1", body, undefined, VM_CREDENTIAL);
  assert.equal(right, 200);
  assert.equal((await gw.sink.nth("bob", "vm2", 2)).counts.new, 1);

  // Over TCP the handshake proved the address: taken without credentials.
  const overTcp = await setup({ tcp: true }, { tcp: true });
  await overTcp.gw.source.sync("bob", [
    { system: sipSystem("vm2", overTcp.vm.uri("4001")), enabled: true },
  ]);
  await overTcp.gw.sink.nth("bob", "vm2", 1);
  assert.equal(await overTcp.vm.unsolicited(udp(overTcp.gw), "sip:4001@127.0.0.1", body), 403);
  const tcp = { host: "127.0.0.1", port: overTcp.gw.tcpPort!, transport: "tcp" as const };
  assert.equal(await overTcp.vm.unsolicited(tcp, "sip:4001@127.0.0.1", body), 200);
  assert.equal((await overTcp.gw.sink.nth("bob", "vm2", 2)).counts.new, 1);

  // unsolicitedUdp "trust": the address alone, for networks where it cannot be forged.
  const trusting = await watching({ unsolicitedUdp: "trust" });
  assert.equal(await trusting.vm.unsolicited(udp(trusting.gw), "sip:4001@127.0.0.1", body), 200);
});

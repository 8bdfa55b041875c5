// The message-summary subscriber against the legacy voicemail simulator, for what the adapter
// tests do not reach: a NOTIFY ahead of the 2xx, 423 with Min-Expires, a NOTIFY of a dialog we
// do not know (481), and stop() while the SUBSCRIBE is still unanswered.

import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { LegacyVoicemailSim } from "../../../../../test/peers/legacy-vm/index.ts";
import { until } from "../../../../../test/support/until.ts";
import { DialogRegistry } from "../../dialog/registry.ts";
import { SipEndpoint } from "../../endpoint.ts";
import type { SummaryEvent } from "./subscriber.ts";
import { MwiSubscriberHub } from "./subscriber-hub.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(vmOptions: ConstructorParameters<typeof LegacyVoicemailSim>[0]) {
  const vm = await new LegacyVoicemailSim(vmOptions).start();
  cleanups.push(() => vm.stop());
  const endpoint = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20 } });
  const port = (await endpoint.start()).udp!.port;
  const dialogs = new DialogRegistry(endpoint);
  const hub = new MwiSubscriberHub(endpoint, { localContact: `sip:gw@127.0.0.1:${port}` });
  cleanups.push(async () => {
    await hub.stop();
    dialogs.close();
    await endpoint.stop();
  });
  const events: SummaryEvent[] = [];
  const subscribe = (mailbox: string, expires = 60) =>
    hub.subscribe({
      uri: vm.uri(mailbox),
      expires,
      retry: { minMs: 20, maxMs: 100 },
      onSummary: (e) => events.push(e),
    });
  return { vm, hub, events, subscribe, port };
}

test("a NOTIFY that overtakes the 200 is taken, and the dialog goes on from it", async () => {
  const { vm, events, subscribe } = await setup({ notifyBeforeOk: true });
  await vm.mwi.set("4000", { new: 1, old: 0 });
  const sub = subscribe("4000");
  await until("the subscription", () => sub.status === "active");
  assert.equal(events[0]?.summary.classes.voice?.new, 1);
  assert.equal(vm.mwi.notifies[0]?.status, 200);
  await vm.mwi.set("4000", { new: 2, old: 0 });
  await until("the next NOTIFY", () => events.length === 2);
  assert.equal(events[1]?.summary.classes.voice?.new, 2);
  assert.equal(vm.mwi.notifies[1]?.status, 200, "its CSeq follows the early one's");
});

test("423 Interval Too Brief is retried at once with the Min-Expires asked for", async () => {
  const { vm, subscribe } = await setup({ minExpires: 120 });
  const sub = subscribe("4000", 30);
  await until("the subscription", () => sub.status === "active");
  assert.deepEqual(
    vm.mwi.seen.map((s) => [s.expires, s.status]),
    [
      ["30", 0],
      ["120", 200],
    ],
  );
});

test("stop() during the first SUBSCRIBE unsubscribes once the 200 is in", async () => {
  const { vm, subscribe } = await setup({});
  const sub = subscribe("4000");
  await sub.stop();
  assert.equal(sub.status, "stopped");
  assert.deepEqual(
    vm.mwi.seen.map((s) => [s.expires, s.inDialog]),
    [
      ["60", false],
      ["0", true],
    ],
  );
  await until("no live subscription", () => vm.mwi.active() === 0);
  await until("the final NOTIFY answered", () => vm.mwi.notifies.at(-1)?.status === 200);
  assert.equal(vm.mwi.notifies.at(-1)?.state, "terminated;reason=timeout");
});

test("behind a record-routing proxy, the refresh and the unsubscribe follow the route set", async () => {
  // A notifier that answers 200 with two Record-Routes: the bottom one (next to us) is its own
  // address, so what follows the route set reaches it; the top one is a proxy further away.
  const notifier = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20 } });
  const nPort = (await notifier.start()).udp!.port;
  cleanups.push(() => notifier.stop());
  const rr = ["<sip:far.invalid;lr>", `<sip:127.0.0.1:${nPort};lr;near=subscriber>`];
  const seen: Array<{ uri: string; routes: string[]; expires: string }> = [];
  notifier.onRequest(
    (req) => {
      const m = req.message;
      seen.push({
        uri: m.uri,
        routes: m.headers.getAll("route"),
        expires: m.headers.get("expires") ?? "",
      });
      req.transaction.respond(200, "OK", {
        headers: [
          ["Expires", m.headers.get("expires") ?? "0"],
          ["Contact", `<sip:vm@127.0.0.1:${nPort}>`],
          ...rr.map((r): [string, string] => ["Record-Route", r]),
        ],
      });
    },
    { methods: ["SUBSCRIBE"] },
  );
  const endpoint = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, timers: { t1: 20 } });
  const port = (await endpoint.start()).udp!.port;
  const hub = new MwiSubscriberHub(endpoint, { localContact: `sip:gw@127.0.0.1:${port}` });
  cleanups.push(async () => {
    await hub.stop();
    await endpoint.stop();
  });
  const sub = hub.subscribe({
    uri: `sip:4000@127.0.0.1:${nPort}`,
    expires: 2,
    retry: { minMs: 20, maxMs: 100 },
    onSummary: () => {},
  });
  await until("the refresh", () => seen.length >= 2, 5000);
  await sub.stop();
  assert.deepEqual(seen[0], { uri: `sip:4000@127.0.0.1:${nPort}`, routes: [], expires: "2" });
  const expected = { uri: `sip:vm@127.0.0.1:${nPort}`, routes: [...rr].reverse() };
  assert.deepEqual(seen[1], { ...expected, expires: "2" }, "the refresh");
  assert.deepEqual(seen.at(-1), { ...expected, expires: "0" }, "the unsubscribe");
});

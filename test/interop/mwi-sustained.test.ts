// A legacy box that keeps sending: NOTIFYs over UDP, one after another, many more within Timer J
// (32 s) than the SIP endpoint has places for transactions at work. Answered NOTIFYs only absorb
// retransmissions and must not count against that limit (protocols/sip/transaction/table.ts), so
// none is refused with 503 and every change reaches the web client in order, the last one too.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LegacyVoicemailSim } from "../peers/legacy-vm/index.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { until } from "../support/until.ts";
import { connectWebClient, type StreamEvent, type TestWebClient } from "../support/web-client.ts";

let t: TestApp;
let sim: LegacyVoicemailSim;
let client: TestWebClient;

before(async () => {
  sim = await new LegacyVoicemailSim().start();
  t = await startTestApp({
    // 100 transactions at work, so 80 for the peers': a few seconds of this box's NOTIFYs.
    sip: { listen: "127.0.0.1:0", limits: { maxTransactions: 100, exempt: ["127.0.0.1"] } },
  });
  await t.addUser({
    id: "alice",
    password: "wonderland",
    voicemailSystems: [{ id: "pbx", kind: "sip", uri: sim.uri("4100") }],
  });
  client = await connectWebClient(t.app.ports.http!.port, await t.login("alice", "wonderland"));
  await until("omnivox subscribed to the SIP box", () => sim.mwi.active("4100") > 0);
});

after(async () => {
  await client?.close();
  await t?.stop();
  await sim?.stop();
});

test("400 NOTIFYs in a row from one box, 80 places for work: every one answered 200, every change shown in order", async () => {
  const shown: number[] = [];
  const newOf = (e: StreamEvent) =>
    (e.systems as Array<{ id: string; new: number }> | undefined)?.find((s) => s.id === "pbx")?.new;
  for (let n = 1; n <= 400; n++) {
    const since = client.events.length;
    await sim.mwi.set("4100", { new: n, old: 0 });
    const e = await client.waitFor(
      (ev) => ev.type === "mwi" && newOf(ev) !== undefined,
      10_000,
      since,
    );
    shown.push(newOf(e)!);
  }
  const refused = sim.mwi.notifies.filter((x) => x.mailbox === "4100" && x.status !== 200);
  assert.deepEqual(
    refused.map((x) => x.status),
    [],
    "NOTIFYs the gateway did not answer 200",
  );
  assert.deepEqual(
    shown,
    Array.from({ length: 400 }, (_, i) => i + 1),
  );
});

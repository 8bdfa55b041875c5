// A SIP trunk to the PSTN (README "Trunks") with sipp as the carrier (scenario
// test/interop/sipp/trunk.xml): omnivox registers with digest and refreshes the registration; a
// message to a number no user has leaves through the trunk with valid credentials and the sender's
// number as caller ID, and the carrier receives speech; a call the carrier delivers for a user's
// DID (+E.164 in To, the Request-URI our registered Contact) is deposited in that user's box; and a
// sip: target at a host that is neither sip.domain nor a trunk is refused without a packet sent.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { encodeUlaw } from "../../src/media/g711.ts";
import { generateSweep, rms } from "../../src/media/pcm.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { freeUdpPort, runSipp, SCENARIOS, type SippRun } from "../support/sipp.ts";
import { type SippPhone, startSippPhone } from "../support/sipp-phone.ts";
import { until } from "../support/until.ts";

const sipp = peer("sipp", "sip-tester");
const PASSWORD = "trunk-s3cret";
let t: TestApp;
let carrier: SippPhone;
let carrierRun: Promise<SippRun>;
let work: string;
let stopped = false;

async function metrics(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${t.app.ports.http!.port}/metrics`, {
    headers: { authorization: `Bearer ${t.app.adminToken}` },
  });
  return res.text();
}

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-trunk-"));
  carrier = await startSippPhone(sipp.path!, work, {
    scenario: await readFile(join(SCENARIOS, "trunk.xml"), "utf8"),
    template: {
      user: "omnivox-acct",
      password: PASSWORD,
      domain: "carrier.test",
      nonce: String(Date.now()),
      callee: "+15550100",
      caller: "+15550001",
    },
  });
  // Two scenario calls: the registration (to its Expires: 0) and the outbound call.
  carrierRun = carrier.answer(2, 120);
  await new Promise((r) => setTimeout(r, 500)); // sipp binds its port
  t = await startTestApp({
    sip: {
      listen: "127.0.0.1:0",
      trunks: [
        {
          id: "carrier",
          proxy: `127.0.0.1:${carrier.port}`,
          username: "omnivox-acct",
          password: PASSWORD,
          register: true,
          fromDomain: "carrier.test",
          numbers: ["+1555"],
        },
      ],
    },
  });
  await t.addUser({
    id: "alice",
    displayName: "Alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
  });
  // Stored without "+": the carrier's +E.164 DID must still find it.
  await t.addUser({ id: "bob", emails: ["bob@example.com"], phones: ["15550002"] });
});

after(async () => {
  if (!stopped) await t?.stop();
  await carrier?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test("omnivox registers with the trunk (digest) and the gauge says so", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  await until(
    "the trunk registration",
    async () =>
      /omnivox_sip_trunk_registered\{trunk="carrier"\} 1/.test(await metrics()) ? true : undefined,
    { timeoutMs: 30000, intervalMs: 100 },
  );
});

test("a message to a number no user has leaves through the trunk with auth and caller ID", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const token = await t.login("alice", "wonderland");
  const res = await t.api(
    "POST",
    "/messages",
    { to: "tel:+15550100", text: "Your parcel arrives tomorrow morning between nine and noon" },
    token,
  );
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const states = await until(
    "the delivery",
    async () => {
      const s = await t.deliveries("alice");
      return s.length > 0 && s.every((d) => !d.endsWith("pending") && !d.endsWith("inflight"))
        ? s
        : undefined;
    },
    { timeoutMs: 30000, intervalMs: 100 },
  );
  assert.deepEqual(states, ["tel:+15550100 delivered"]);
  // The carrier was sent speech (sipp checked the digest, the Request-URI and the From).
  const heard = carrier.heard();
  assert.ok(heard.length / 8000 >= 1.5, `the carrier was sent ${heard.length / 8000} s`);
  assert.ok(rms(heard) > 300, `speech, not silence: rms ${rms(heard).toFixed(0)}`);
  assert.ok(carrier.stats.echoes >= carrier.stats.packets * 0.9, JSON.stringify(carrier.stats));
});

test("a call from the trunk for a user's DID in +E.164 form is deposited in their box", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  const audioMs = 2500;
  const sent = generateSweep(300, 3000, audioMs, 8000, 0.5);
  const ulaw = new Uint8Array(sent.length);
  encodeUlaw(sent, ulaw);
  const audioFile = join(work, "pstn-caller.ulaw");
  await writeFile(audioFile, ulaw);
  const run = await runSipp(sipp.path!, t.app.ports.sip!, "trunk-inbound.xml", {
    service: "trunk",
    template: {
      audio: audioFile,
      audio_ms: String(audioMs + 300),
      caller: "+15557770000",
      did: "+15550002",
      domain: "carrier.test",
    },
    workDir: work,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
  const messages = await t.app.store.voicemail.list("bob");
  assert.equal(messages.length, 1);
  assert.equal(messages[0]?.ani, "+15557770000");
  assert.ok(Math.abs(messages[0]!.durationMs - audioMs) <= 400, `${messages[0]!.durationMs} ms`);
  assert.equal((await t.app.store.voicemail.list("alice")).length, 0);
});

test("a sip: target that is neither sip.domain nor a trunk is refused, nothing sent there", {
  skip: sipp.skip,
  timeout: 30_000,
}, async () => {
  const port = await freeUdpPort();
  const trap = createSocket("udp4");
  await new Promise<void>((r) => trap.bind(port, "127.0.0.1", r));
  let packets = 0;
  trap.on("message", () => packets++);
  try {
    const token = await t.login("alice", "wonderland");
    const res = await t.api(
      "POST",
      "/messages",
      { to: `sip:127.0.0.1:${port}`, text: "Anyone listening on this port?" },
      token,
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const id = (res.body as { communicationId: string }).communicationId;
    const delivery = await until(
      "the refusal",
      async () => {
        const list = (await t.api("GET", "/communications?userId=alice")).body as Array<{
          id: string;
          deliveries: Array<{ target: string; state: string; lastError: string | null }>;
        }>;
        const d = list.find((c) => c.id === id)?.deliveries[0];
        return d && d.state === "failed" ? d : undefined;
      },
      { timeoutMs: 30000, intervalMs: 100 },
    );
    assert.equal(delivery.lastError, "call failed: not an allowed destination");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(packets, 0, "omnivox sent nothing to the refused port");
  } finally {
    await new Promise<void>((r) => trap.close(() => r()));
  }
});

test("the trunk saw a refresh with credentials and the unREGISTER on stop", {
  skip: sipp.skip,
  timeout: 120_000,
}, async () => {
  // Granted 2 s, the registration was refreshed long ago; stopping omnivox removes it.
  stopped = true;
  await t.stop();
  const run = await carrierRun;
  assert.equal(
    run.code,
    0,
    `the carrier's sipp failed:\n${run.errors}\n${run.output.slice(-2500)}`,
  );
});

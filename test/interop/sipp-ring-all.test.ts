// Parallel ringing (RFC 3261 §16-style forking by omnivox as the caller): two sipp phones are
// registered for alice under different Contacts; a message for her number rings both at once.
// One answers and hears the message; the other keeps ringing and must receive a CANCEL (its
// scenario, test/interop/sipp/ring-cancelled.xml, fails without one) and answers 200 + 487.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { rms } from "../../src/media/pcm.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { SCENARIOS } from "../support/sipp.ts";
import { type SippPhone, startSippPhone } from "../support/sipp-phone.ts";

const sipp = peer("sipp", "sip-tester");
let t: TestApp;
let answering: SippPhone;
let ringing: SippPhone;
let work: string;

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-ringall-"));
  t = await startTestApp({ sip: { listen: "127.0.0.1:0" } });
  const { sipSecret } = await t.addUser({
    id: "alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
  });
  await t.addUser({ id: "bob", phones: ["+15550002"], password: "bobthebuilder" });
  answering = await startSippPhone(sipp.path!, work);
  ringing = await startSippPhone(sipp.path!, work, {
    scenario: await readFile(join(SCENARIOS, "ring-cancelled.xml"), "utf8"),
  });
  await answering.register(t.app.ports.sip!, "alice", sipSecret);
  await ringing.register(t.app.ports.sip!, "alice", sipSecret);
});

after(async () => {
  await t?.stop();
  await answering?.close();
  await ringing?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test("both of alice's phones ring; one answers and plays, the other gets CANCEL", {
  skip: sipp.skip,
  timeout: 90_000,
}, async () => {
  const answered = answering.answer(1, 60);
  const cancelled = ringing.answer(1, 60);
  await new Promise((r) => setTimeout(r, 500)); // sipp binds its ports
  const token = await t.login("bob", "bobthebuilder");
  const res = await t.api(
    "POST",
    "/messages",
    { to: "tel:+15550001", text: "Dinner is at eight, see you there" },
    token,
  );
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const [a, b] = await Promise.all([answered, cancelled]);
  assert.equal(
    b.code,
    0,
    `the ringing phone saw no CANCEL:\n${b.errors}\n${b.output.slice(-1500)}`,
  );
  assert.equal(a.code, 0, `the answering phone failed:\n${a.errors}\n${a.output.slice(-1500)}`);
  const heard = answering.heard();
  assert.ok(heard.length / 8000 >= 1, `the phone that answered was sent ${heard.length / 8000} s`);
  assert.ok(rms(heard) > 300, `speech, not silence: rms ${rms(heard).toFixed(0)}`);
  assert.equal(ringing.stats.packets, 0, "the cancelled phone was sent no audio");
  let states: string[] = [];
  for (let i = 0; i < 100; i++) {
    states = await t.deliveries("bob");
    if (states.every((s) => s.endsWith("delivered"))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(states, ["tel:+15550001 delivered"]);
});

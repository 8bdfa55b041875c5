// Play-on-phone behind a PBX proxy: sipp, the phone, registers through Kamailio, which adds Path
// (RFC 3327). A voice message for the phone's owner rings it through Kamailio (the Path as the
// INVITE's Route), the phone answers and hears the audio, and the ACK and BYE follow the route
// set the phone's 200 gave (Kamailio record-routes).

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { generateSweep, rms } from "../../src/media/pcm.ts";
import { pcm16ToWav } from "../../src/media/wav.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { type Kamailio, kamailioPeer, startKamailio } from "../support/kamailio.ts";
import { peer } from "../support/peers.ts";
import { type SippPhone, startSippPhone } from "../support/sipp-phone.ts";

const sipp = peer("sipp", "sip-tester");
const kamailio = kamailioPeer();
const skip = sipp.skip ?? kamailio.skip;
let t: TestApp;
let proxy: Kamailio;
let phone: SippPhone;
let work: string;

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-kamailio-play-"));
  t = await startTestApp({ sip: { listen: "127.0.0.1:0" } });
  const { sipSecret } = await t.addUser({
    id: "alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
  });
  proxy = await startKamailio(kamailio.path!, { omnivox: t.app.ports.sip!, workDir: work });
  phone = await startSippPhone(sipp.path!, work, { recordRoute: true });
  await phone.register(proxy, "alice", sipSecret, "localhost", [["Supported", "path"]]);
});

after(async () => {
  await phone?.close();
  await proxy?.stop();
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test("a voice message rings the phone registered through Kamailio, via Kamailio, and plays", {
  skip,
  timeout: 60_000,
}, async () => {
  const omnivox = t.app.ports.sip!.port;
  assert.match(proxy.log(), /kamailio-rx reply 200 OK for REGISTER/);
  const answering = phone.answer(1, 40);
  await new Promise((r) => setTimeout(r, 500)); // sipp binds its port
  const wav = pcm16ToWav(generateSweep(300, 3000, 2000, 8000, 0.5), 8000);
  const token = await t.login("alice", "wonderland");
  const res = await t.api(
    "POST",
    "/messages",
    { to: "tel:+15550001", audio: Buffer.from(wav).toString("base64") },
    token,
  );
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const run = await answering;
  const log = proxy.log();
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-1500)}\n${log}`);
  const from = new RegExp(`from 127\\.0\\.0\\.1:${omnivox}/udp`, "i");
  const seen = (method: string) =>
    log.split("\n").some((l) => l.includes(`kamailio-rx ${method} sip:`) && from.test(l));
  assert.ok(seen("INVITE"), `omnivox's INVITE reached the phone through Kamailio:\n${log}`);
  assert.ok(seen("ACK"), "the ACK followed the route set");
  assert.ok(seen("BYE"), "the BYE followed the route set");
  const heard = phone.heard();
  assert.ok(Math.abs(heard.length / 8000 - 2) < 0.3, `sent ${(heard.length / 8000).toFixed(2)} s`);
  assert.ok(rms(heard) > 1000, `audio, not silence: rms ${rms(heard).toFixed(0)}`);
  assert.ok(phone.stats.echoes > 0, "sipp echoed the audio it was sent");
});

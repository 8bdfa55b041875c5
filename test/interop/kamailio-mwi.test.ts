// MWI behind a PBX proxy: baresip, alice's phone, has Kamailio as its outbound proxy. It
// registers (Kamailio adds Path) and subscribes to message-summary through Kamailio, which
// record-routes the SUBSCRIBE; when sipp leaves alice a message, omnivox's NOTIFY follows the
// subscription's route set through Kamailio and the phone shows 1 new.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { encodeUlaw } from "../../src/media/g711.ts";
import { generateSweep } from "../../src/media/pcm.ts";
import { type Baresip, startBaresip } from "../support/baresip.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { type Kamailio, kamailioPeer, startKamailio } from "../support/kamailio.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";

const baresipBin = peer("baresip", "baresip");
const sipp = peer("sipp", "sip-tester");
const kamailio = kamailioPeer();
const skip = baresipBin.skip ?? sipp.skip ?? kamailio.skip;
let t: TestApp;
let proxy: Kamailio;
let phone: Baresip | undefined;
let work: string;
/** The SIP secret alice's phone registers with (from her creation). */
let aliceSip = "";

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-kamailio-mwi-"));
  t = await startTestApp({
    sip: { listen: "127.0.0.1:0", domain: "127.0.0.1" },
    voicemail: { silenceMs: 1000, minMessageMs: 500 },
  });
  ({ sipSecret: aliceSip } = await t.addUser({
    id: "alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
  }));
  proxy = await startKamailio(kamailio.path!, { omnivox: t.app.ports.sip!, workDir: work });
});

after(async () => {
  await phone?.stop();
  await proxy?.stop();
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test("a phone subscribed to MWI through Kamailio gets the NOTIFY of a new message through it", {
  skip,
  timeout: 90_000,
}, async () => {
  phone = await startBaresip({
    binary: baresipBin.path!,
    account: {
      user: "alice",
      domain: "127.0.0.1",
      password: aliceSip,
      outbound: { host: "127.0.0.1", port: proxy.port },
    },
    sipTrace: process.env.OMNIVOX_TEST_SIP_TRACE === "1",
  });
  await phone.waitFor(/alice@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK/, 15_000);
  await phone.waitFor(/Messages-Waiting: no[\s\S]*Voice-Message: 0\/0/, 15_000);

  const sent = generateSweep(300, 3000, 2000, 8000, 0.5);
  const ulaw = new Uint8Array(sent.length);
  encodeUlaw(sent, ulaw);
  const audioFile = join(work, "caller.ulaw");
  await writeFile(audioFile, ulaw);
  const run = await runSipp(sipp.path!, t.app.ports.sip!, "deposit.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template: { audio: audioFile, audio_ms: "2300" },
    workDir: work,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}`);
  await phone.waitFor(/Messages-Waiting: yes[\s\S]*Voice-Message: 1\/0/, 15_000);

  const omnivox = new RegExp(`from 127\\.0\\.0\\.1:${t.app.ports.sip!.port}/udp`, "i");
  const lines = proxy.log().split("\n");
  const viaProxy = (method: string, from: RegExp) =>
    lines.filter((l) => l.includes(`kamailio-rx ${method} sip:`) && from.test(l)).length;
  const phoneSide = new RegExp(`from 127\\.0\\.0\\.1:${phone.sipPort}/udp`, "i");
  assert.ok(viaProxy("REGISTER", phoneSide) >= 1, "the phone registered through Kamailio");
  assert.ok(viaProxy("SUBSCRIBE", phoneSide) >= 1, "and subscribed through it");
  // The first NOTIFY (0/0) and the one for the new message (1/0), both along the route set.
  assert.ok(
    viaProxy("NOTIFY", omnivox) >= 2,
    `omnivox's NOTIFYs passed Kamailio:\n${lines.join("\n")}`,
  );
});

// A sipp call leaves alice a voicemail that her route sends to two webhooks (README "Webhooks"):
// "ops" answers 500 once and then 200, and gets the event twice under one delivery id, signed as
// the README says to check, with the caller, the transcript of the HTTP STT engine and an MP3
// link that serves the recording; "broken" always answers 500 and its delivery ends failed, the
// status in its lastError.

import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { webhookEventSchema } from "../../src/adapters/webhook/index.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { sippDeposit } from "../support/sipp.ts";
import { type SttStub, startSttStub } from "../support/stt-stub.ts";
import { until } from "../support/until.ts";

const sipp = peer("sipp", "sip-tester");
const AUDIO_MS = 2000;
const TRANSCRIPT = "Please call the ops desk back.";
const OPS_SECRET = "ops-secret-for-the-test-0123";

interface Posted {
  headers: IncomingHttpHeaders;
  body: string;
}

/** An endpoint that records each POST and answers with the status `statusOf` gives the n-th. */
async function endpoint(
  statusOf: (n: number) => number,
): Promise<{ server: Server; url: string; posted: Posted[] }> {
  const posted: Posted[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    posted.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(statusOf(posted.length)).end(posted.length === 1 ? "warming up" : "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, posted };
}

/** The receiver's check, as the README gives it. */
function signedByOps(p: Posted): boolean {
  const timestamp = String(p.headers["x-omnivox-timestamp"]);
  const expected = `sha256=${createHmac("sha256", OPS_SECRET).update(`${timestamp}.${p.body}`).digest("hex")}`;
  const given = String(p.headers["x-omnivox-signature"]);
  return (
    given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
  );
}

let t: TestApp;
let stt: SttStub;
let work: string;
let ops: Awaited<ReturnType<typeof endpoint>>;
let broken: Awaited<ReturnType<typeof endpoint>>;

before(async () => {
  if (sipp.skip) return;
  stt = await startSttStub(TRANSCRIPT);
  ops = await endpoint((n) => (n === 1 ? 500 : 200));
  broken = await endpoint(() => 500);
  work = await mkdtemp(join(tmpdir(), "omnivox-webhook-"));
  t = await startTestApp({
    sip: { listen: "127.0.0.1:0" },
    speech: { stt: stt.config },
    outbox: { maxAttempts: 3 },
    webhooks: [
      { id: "ops", url: ops.url, secret: OPS_SECRET },
      { id: "broken", url: broken.url, secret: "broken-secret-0123456789", timeoutMs: 2000 },
    ],
  });
  await t.addUser({
    id: "alice",
    phones: ["+15550001"],
    password: "wonderland",
    routes: [{ from: "voicemail", to: ["webhook:ops", "webhook:broken"], audioFormat: "mp3" }],
  });
});

after(async () => {
  await t?.stop();
  stt?.close();
  for (const s of [ops?.server, broken?.server]) {
    s?.closeAllConnections();
    s?.close();
  }
  if (work) await rm(work, { recursive: true, force: true });
});

test("a voicemail reaches a webhook signed, retried under one delivery id, with a working audio link", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  // The deposit: Bob (15551234) calls alice's number and speaks for AUDIO_MS.
  await sippDeposit(sipp.path!, t.app.ports.sip!, { ms: AUDIO_MS, workDir: work });

  await until("ops took the event after its 500", () => ops.posted.length >= 2, 20_000);
  const deliveries = await until(
    "both deliveries settled",
    async () => {
      const res = await t.api("GET", "/communications?userId=alice");
      const list = res.body as Array<{
        deliveries: Array<{
          target: string;
          state: string;
          attempts: number;
          lastError: string | null;
        }>;
      }>;
      const all = list.flatMap((c) => c.deliveries);
      const settled = all.filter((d) => d.state === "delivered" || d.state === "failed");
      return settled.length === 2 ? all : undefined;
    },
    20_000,
  );
  const byTarget = new Map(deliveries.map((d) => [d.target, d]));
  assert.equal(byTarget.get("webhook:ops")?.state, "delivered");
  assert.equal(byTarget.get("webhook:ops")?.attempts, 2);
  const failed = byTarget.get("webhook:broken");
  assert.equal(failed?.state, "failed");
  assert.equal(failed?.attempts, 3);
  assert.match(failed?.lastError ?? "", /^webhook broken: 500 Internal Server Error/);
  assert.equal(broken.posted.length, 3);
  assert.ok(!signedByOps(broken.posted[0]!), "each webhook signs with its own secret");

  // Shown once: the retry is the same delivery, and the receiver can tell.
  assert.equal(ops.posted.length, 2, "no POST after the 200");
  const [first, second] = ops.posted;
  assert.ok(first && second);
  assert.equal(first.headers["x-omnivox-delivery"], second.headers["x-omnivox-delivery"]);
  for (const p of ops.posted) {
    assert.ok(signedByOps(p), "the signature verifies with the secret");
    assert.equal(p.headers["content-type"], "application/json");
    assert.match(String(p.headers["user-agent"]), /^omnivox\/\d+\.\d+\.\d+/);
  }
  const event = webhookEventSchema.parse(JSON.parse(second.body));
  assert.equal(event.id, second.headers["x-omnivox-delivery"]);
  assert.equal(event.communication.kind, "voicemail");
  assert.match(event.communication.from.address, /15551234/);
  assert.match(event.communication.from.display, /15551234/);
  assert.equal(event.communication.transcript, TRANSCRIPT);
  assert.ok(
    Math.abs((event.communication.durationMs ?? 0) - AUDIO_MS) <= 300,
    `duration ${event.communication.durationMs}`,
  );
  const audio = event.communication.audio;
  assert.equal(audio?.contentType, "audio/mpeg");

  // The link works without a token, in the route's format.
  const res = await fetch(audio.url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "audio/mpeg");
  const mp3 = new Uint8Array(await res.arrayBuffer());
  const sync = mp3.findIndex((b, i) => b === 0xff && ((mp3[i + 1] ?? 0) & 0xe0) === 0xe0);
  assert.ok(sync >= 0 && mp3.length > 1000, `an MP3 of ${mp3.length} bytes`);
});

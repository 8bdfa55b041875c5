// An HTML mail of 300,000 nested <div> (3.3 MB; the same at 1.1 MB) sent with swaks to a child
// omnivox while sipp leaves a voicemail and /healthz is polled every 100 ms from this process:
// neither is held up by a second (docs/security.md "Mail parsing"), the mail gets 250 and reaches
// the web client as plain text with a warning, and the voicemail's audio matches what was sent.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { decodeUlaw, encodeUlaw } from "../../src/media/g711.ts";
import { crossCorrelate, generateSweep } from "../../src/media/pcm.ts";
import { parseWav, wavToPcm16 } from "../../src/media/wav.ts";
import { type OmnivoxChild, spawnOmnivox } from "../support/child.ts";
import { pollHealth } from "../support/health-poll.ts";
import { peer } from "../support/peers.ts";
import { allocateRtpPorts } from "../support/rtp-ports.ts";
import { runSipp } from "../support/sipp.ts";
import { lastReply, swaks } from "../support/swaks.ts";
import { connectWebClient, type TestWebClient } from "../support/web-client.ts";

const swaksBin = peer("swaks", "swaks");
const sipp = peer("sipp", "sip-tester");
const skip = swaksBin.skip ?? sipp.skip;
const ADMIN = "mail-loop-admin-token-0123456789";
const AUDIO_MS = 8000;

let work: string;
let child: OmnivoxChild;
let client: TestWebClient;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function api(path: string, init: { body?: unknown; token?: string } = {}) {
  return fetch(`http://127.0.0.1:${child.ports.http!.port}/api/v1${path}`, {
    method: init.body ? "POST" : "GET",
    headers: {
      authorization: `Bearer ${init.token ?? ADMIN}`,
      ...(init.body ? { "content-type": "application/json" } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
}

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-mail-loop-"));
  const rtp = allocateRtpPorts();
  const configFile = join(work, "omnivox.yaml");
  await writeFile(
    configFile,
    [
      `dataDir: ${join(work, "data")}`,
      `http: { listen: 127.0.0.1:0, adminToken: ${ADMIN} }`,
      "smtp: { listen: 127.0.0.1:0, domains: [example.com] }",
      `sip: { listen: 127.0.0.1:0, rtpPorts: ${rtp.range} }`,
      // Mail for alice goes to her web client only (no SMTP out in this test).
      "outbox: { backoffBaseMs: 50, backoffMaxMs: 500, ackTimeoutMs: 2000 }",
      "icw: { decideMs: 0 }",
      "",
    ].join("\n"),
  );
  child = await spawnOmnivox(configFile, join(work, "data"));
  const created = await api("/users", {
    body: {
      id: "alice",
      emails: ["alice@example.com"],
      phones: ["+15550001"],
      password: "wonderland",
      pin: "123456",
    },
  });
  assert.equal(created.status, 201, await created.text());
  const session = (await (
    await api("/session", { body: { user: "alice", password: "wonderland" }, token: "" })
  ).json()) as { token: string };
  client = await connectWebClient(child.ports.http!.port, session.token);
});

after(async () => {
  await client?.close();
  if (child) {
    child.process.kill("SIGTERM");
    await Promise.race([child.exited, sleep(10_000)]);
    child.process.kill("SIGKILL");
  }
  if (work) await rm(work, { recursive: true, force: true });
});

function nestedMail(divs: number, subject: string): string {
  const html = `<html><body>${"<div>".repeat(divs)}deep inside${"</div>".repeat(divs)}</body></html>`;
  return [
    "From: Mallory <mallory@example.net>",
    "To: alice@example.com",
    `Subject: ${subject}`,
    "MIME-Version: 1.0",
    "Content-Type: text/html; charset=utf-8",
    "",
    html,
    "",
  ].join("\r\n");
}

async function sendWithSwaks(file: string): Promise<number | undefined> {
  const res = await swaks(swaksBin.path!, child.ports.smtp!.port, [
    "--from",
    "mallory@example.net",
    "--to",
    "alice@example.com",
    "--data",
    `@${file}`,
    "--suppress-data",
  ]);
  return lastReply(res.output);
}

async function communication(subject: string) {
  for (let i = 0; i < 200; i++) {
    const list = (await (await api("/communications?userId=alice")).json()) as Array<{
      subject?: string;
      body: { text: string; html?: string };
      warnings: string[];
    }>;
    const found = list.find((c) => c.subject === subject);
    if (found) return found;
    await sleep(100);
  }
  throw new Error(`no communication "${subject}"`);
}

test("a 3.3 MB nested-HTML mail delays neither a call's audio nor /healthz, and is delivered as text", {
  skip,
  timeout: 120_000,
}, async (t) => {
  const raw = nestedMail(300_000, "deep 3.3");
  assert.ok(raw.length > 3_300_000, `mail of ${raw.length} bytes`);
  const mailFile = join(work, "deep.eml");
  await writeFile(mailFile, raw);

  const sent = generateSweep(300, 3000, AUDIO_MS, 8000, 0.5);
  const ulaw = new Uint8Array(sent.length);
  encodeUlaw(sent, ulaw);
  const audioFile = join(work, "caller.ulaw");
  await writeFile(audioFile, ulaw);
  const heard = new Int16Array(sent.length);
  decodeUlaw(ulaw, heard);

  const health = pollHealth(child.ports.http!.port, 100);
  const call = runSipp(sipp.path!, child.ports.sip!, "deposit.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template: { audio: audioFile, audio_ms: String(AUDIO_MS + 300) },
    workDir: work,
    timeoutS: 60,
  });
  // The caller is streaming by now (INVITE, # after 300 ms, audio 1 s later).
  await sleep(2500);
  const reply = await sendWithSwaks(mailFile);
  const run = await call;
  const { maxGapMs, answers } = await health.stop();

  t.diagnostic(`/healthz: ${answers} answers, largest gap ${maxGapMs} ms`);
  assert.equal(reply, 250, "250 after DATA, never 451");
  assert.ok(answers > 20, `${answers} /healthz answers`);
  assert.ok(maxGapMs < 1000, `/healthz answers ${maxGapMs} ms apart at worst`);

  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
  const boxes = (await (await api("/users/alice/voicemail")).json()) as Array<{
    id: string;
    durationMs: number;
  }>;
  assert.equal(boxes.length, 1);
  const vm = boxes[0]!;
  assert.ok(Math.abs(vm.durationMs - AUDIO_MS) <= 300, `recorded ${vm.durationMs} ms`);
  const wav = await (await api(`/users/alice/voicemail/${vm.id}/audio`)).arrayBuffer();
  const recorded = wavToPcm16(parseWav(new Uint8Array(wav)));
  // A stalled loop shows as a gap or a shift in the recording: the whole sweep must line up.
  const match = crossCorrelate(heard, recorded, 4000);
  assert.ok(match.coefficient > 0.9, `cross-correlation ${match.coefficient.toFixed(3)}`);

  const stored = await communication("deep 3.3");
  assert.equal(stored.body.text, "deep inside");
  assert.equal(stored.body.html, undefined, "the unconverted HTML is not kept");
  assert.ok(
    stored.warnings.some((w) => /plain text.*nested deeper than/.test(w)),
    stored.warnings.join("; "),
  );
  const event = await client.waitFor((e) => e.type === "message" && e.subject === "deep 3.3");
  assert.equal(event.text, "deep inside");
  assert.match(String((event.warnings as string[] | undefined)?.join("\n")), /plain text/);
});

test("a 1.1 MB nested-HTML mail is answered 250 without delaying /healthz", {
  skip,
  timeout: 60_000,
}, async (t) => {
  const mailFile = join(work, "deep-1.1.eml");
  await writeFile(mailFile, nestedMail(100_000, "deep 1.1"));
  const health = pollHealth(child.ports.http!.port, 100);
  await sleep(300);
  const reply = await sendWithSwaks(mailFile);
  await sleep(300);
  const { maxGapMs } = await health.stop();
  t.diagnostic(`/healthz: largest gap ${maxGapMs} ms`);
  assert.equal(reply, 250);
  assert.ok(maxGapMs < 1000, `/healthz answers ${maxGapMs} ms apart at worst`);
  const stored = await communication("deep 1.1");
  assert.equal(stored.body.text, "deep inside");
  assert.ok(stored.warnings.some((w) => /plain text/.test(w)));
});

test("an ordinary HTML mail is still converted with its formatting and kept as HTML", {
  skip,
}, async () => {
  const file = join(work, "plain.eml");
  await writeFile(
    file,
    [
      "From: Bob <bob@example.net>",
      "To: alice@example.com",
      "Subject: newsletter",
      "Content-Type: text/html; charset=utf-8",
      "",
      "<h1>News</h1><p>First <b>item</b></p><ul><li>one</li><li>two</li></ul>",
      "",
    ].join("\r\n"),
  );
  assert.equal(await sendWithSwaks(file), 250);
  const stored = await communication("newsletter");
  assert.match(stored.body.text, /NEWS/);
  assert.match(stored.body.text, /\* one\n \* two/);
  assert.match(stored.body.html ?? "", /<b>item<\/b>/);
  assert.deepEqual(stored.warnings, []);
});

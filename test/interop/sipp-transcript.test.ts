// A sipp call to alice is transcribed by the HTTP STT engine — here a tiny
// in-test server speaking the OpenAI `/v1/audio/transcriptions` wire format — while it is
// recorded; the mail at the SMTP sink carries exactly the server's transcript and the REST
// mailbox lists the message with it.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseWav } from "../../src/media/wav.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { sippDeposit } from "../support/sipp.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";

const sipp = peer("sipp", "sip-tester");
const AUDIO_MS = 2000;
const TRANSCRIPT = "Please call me back about the invoice, my number is 555 0199.";
let sink: SmtpSink;
let t: TestApp;
let work: string;
const posted: Array<{ url: string; contentType: string; wavSeconds: number }> = [];

/** Answers as whisper servers do: `{"text": …}` for a multipart POST carrying a WAV file. */
const stt = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  if (req.method === "POST") {
    const riff = body.indexOf("RIFF");
    const boundary = body.indexOf("\r\n--", riff);
    const wav = riff >= 0 && boundary > riff ? parseWav(body.subarray(riff, boundary)) : undefined;
    posted.push({
      url: req.url ?? "",
      contentType: req.headers["content-type"] ?? "",
      wavSeconds: wav ? wav.frames / wav.sampleRate : 0,
    });
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(req.method === "POST" ? { text: ` ${TRANSCRIPT}` } : {}));
});

before(async () => {
  if (sipp.skip) return;
  await new Promise<void>((resolve) => stt.listen(0, "127.0.0.1", resolve));
  work = await mkdtemp(join(tmpdir(), "omnivox-stt-"));
  sink = await startSmtpSink();
  t = await startTestApp({
    smtpOutPort: sink.port,
    sip: { listen: "127.0.0.1:0" },
    speech: {
      stt: {
        engine: "http",
        url: `http://127.0.0.1:${(stt.address() as AddressInfo).port}`,
        model: "whisper-1",
      },
    },
  });
  await t.addUser({
    id: "alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
  });
});

after(async () => {
  await t?.stop();
  await sink?.close();
  stt.closeAllConnections();
  stt.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test("a sipp call is transcribed: the mail and the REST mailbox carry the transcript", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  await sippDeposit(sipp.path!, t.app.ports.sip!, { ms: AUDIO_MS, workDir: work });

  assert.equal(posted.length, 1, "one transcription request per message");
  assert.equal(posted[0]?.url, "/v1/audio/transcriptions");
  assert.match(posted[0]?.contentType ?? "", /^multipart\/form-data/);
  assert.ok(
    Math.abs((posted[0]?.wavSeconds ?? 0) - AUDIO_MS / 1000) < 0.4,
    `the recording was sent: ${posted[0]?.wavSeconds} s`,
  );

  const [mail] = await sink.waitFor(1);
  assert.deepEqual(mail?.to, ["alice@example.com"]);
  const text = mail?.parsed.text ?? "";
  const at = text.indexOf("Transcript:");
  assert.ok(at >= 0, `no transcript in:\n${text}`);
  const line = text.slice(at).split("\n")[1];
  assert.equal(line, TRANSCRIPT);

  const token = await t.login("alice", "wonderland");
  const res = await t.api("GET", "/users/alice/voicemail", undefined, token);
  assert.equal(res.status, 200);
  const list = res.body as Array<{ id: string; transcript?: string; from: { ani: string } }>;
  assert.equal(list.length, 1);
  assert.equal(list[0]?.transcript, TRANSCRIPT);
  assert.equal(list[0]?.from.ani, "15551234");
});

test("an STT engine that cannot be reached stops start-up with a message naming it", {
  skip: sipp.skip,
}, async () => {
  await assert.rejects(
    startTestApp({
      speech: { stt: { engine: "http", url: "http://127.0.0.1:9", model: "whisper-1" } },
    }),
    (e: unknown) => e instanceof Error && /speech\.stt: .*"http"/.test(e.message),
  );
});

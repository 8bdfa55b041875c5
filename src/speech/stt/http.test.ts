// The OpenAI-compatible HTTP STT engine against a node:http server that parses the real
// multipart/form-data body it receives and answers as whisper servers do.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { parseWav, wavToPcm16 } from "../../media/wav.ts";
import { SpeechFailedError, SpeechTimeoutError } from "../errors.ts";
import { HttpSttEngine, transcriptionsUrl } from "./http.ts";

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Splits a multipart/form-data body (RFC 7578) into its parts. */
function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  assert.ok(boundary, `no boundary in ${contentType}`);
  const delim = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Part[] = [];
  let at = body.indexOf(delim);
  assert.ok(at >= 0, "first boundary missing");
  for (;;) {
    at += delim.length;
    if (body.subarray(at, at + 2).toString() === "--") break; // closing delimiter
    at += 2; // CRLF after the delimiter
    const headerEnd = body.indexOf("\r\n\r\n", at);
    const next = body.indexOf(delim, headerEnd);
    assert.ok(headerEnd > 0 && next > 0, "truncated part");
    const headers = body.subarray(at, headerEnd).toString("utf8");
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? "";
    const part: Part = {
      name: /\bname="([^"]*)"/.exec(disposition)?.[1] ?? "",
      data: body.subarray(headerEnd + 4, next - 2), // the CRLF before the delimiter is not data
    };
    const filename = /filename="([^"]*)"/.exec(disposition)?.[1];
    if (filename !== undefined) part.filename = filename;
    const type = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1];
    if (type !== undefined) part.contentType = type;
    parts.push(part);
    at = next;
  }
  return parts;
}

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  fields: Record<string, string>;
  file?: Part;
}

type Handler = (seen: Seen, res: ServerResponse, req: IncomingMessage) => void;
let handler: Handler = (_seen, res) => res.end("{}");
const requests: Seen[] = [];
let base = "";
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  try {
    for await (const c of req) chunks.push(c as Buffer);
  } catch {
    return; // the client went away
  }
  const seen: Seen = {
    method: req.method ?? "",
    url: req.url ?? "",
    auth: req.headers.authorization,
    fields: {},
  };
  if (req.method === "POST") {
    for (const p of parseMultipart(Buffer.concat(chunks), req.headers["content-type"] ?? "")) {
      if (p.filename !== undefined) seen.file = p;
      else seen.fields[p.name] = p.data.toString("utf8");
    }
  }
  requests.push(seen);
  handler(seen, res, req);
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
};

const audio8k = () => {
  const samples = new Int16Array(8000); // one second
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin(i / 3));
  return { samples, sampleRate: 8000 };
};

test("json: posts a 16 kHz WAV with model and bearer key, returns the server's text exactly", async () => {
  handler = (_s, res) => json(res, 200, { text: " Please call me back about the invoice." });
  const engine = new HttpSttEngine({ url: `${base}/`, model: "whisper-1", apiKey: "sk-test" });
  const result = await engine.transcribe(audio8k(), { language: "en-US" });
  assert.deepEqual(result, { text: " Please call me back about the invoice." });
  const seen = requests.at(-1)!;
  assert.equal(seen.method, "POST");
  assert.equal(seen.url, "/v1/audio/transcriptions");
  assert.equal(seen.auth, "Bearer sk-test");
  assert.deepEqual(seen.fields, { model: "whisper-1", response_format: "json", language: "en" });
  assert.equal(seen.file?.name, "file");
  assert.equal(seen.file?.filename, "audio.wav");
  const wav = parseWav(seen.file!.data);
  assert.equal(wav.encoding, "pcm16");
  assert.equal(wav.sampleRate, 16000);
  assert.equal(wav.channels, 1);
  assert.equal(wav.frames, 16000, "one second of 8 kHz audio is 16000 samples at 16 kHz");
  const pcm = wavToPcm16(wav);
  assert.equal(pcm[200], audio8k().samples[100], "even samples carry the input unchanged");
});

test("verbose_json: text, language and a confidence from the segments' avg_logprob", async () => {
  handler = (_s, res) =>
    json(res, 200, {
      task: "transcribe",
      language: "english",
      duration: 2,
      text: "Call me back.",
      segments: [
        { id: 0, start: 0, end: 1, text: "Call me", avg_logprob: -0.1, no_speech_prob: 0.01 },
        { id: 1, start: 1, end: 2, text: " back.", avg_logprob: -0.3, no_speech_prob: 0.02 },
      ],
    });
  const engine = new HttpSttEngine({
    url: `${base}/v1`,
    model: "base.en",
    responseFormat: "verbose_json",
  });
  const result = await engine.transcribe({ samples: new Int16Array(3200), sampleRate: 16000 });
  assert.equal(result.text, "Call me back.");
  assert.equal(result.language, "english");
  assert.ok(Math.abs(result.confidence! - Math.exp(-0.2)) < 1e-9);
  const seen = requests.at(-1)!;
  assert.equal(seen.auth, undefined, "no key, no Authorization header");
  assert.equal(seen.fields.response_format, "verbose_json");
  assert.equal(seen.fields.language, undefined);
  assert.equal(parseWav(seen.file!.data).frames, 3200, "16 kHz audio is sent as it is");
});

test("a 500 answer fails with SpeechFailedError carrying the status and body", async () => {
  handler = (_s, res) => json(res, 500, { error: { message: "model not loaded" } });
  const engine = new HttpSttEngine({ url: base, model: "m" });
  await assert.rejects(engine.transcribe(audio8k()), (err: unknown) => {
    assert.ok(err instanceof SpeechFailedError);
    assert.match(err.message, /500.*model not loaded/);
    return true;
  });
});

test("bad JSON and JSON without text fail with SpeechFailedError", async () => {
  const engine = new HttpSttEngine({ url: base, model: "m" });
  handler = (_s, res) => json(res, 200, "{text: oops");
  await assert.rejects(engine.transcribe(audio8k()), SpeechFailedError);
  handler = (_s, res) => json(res, 200, { transcript: "hello" });
  await assert.rejects(engine.transcribe(audio8k()), /no "text"/);
});

test("a server that never answers times out with SpeechTimeoutError", async () => {
  handler = () => {}; // hold the request open
  const engine = new HttpSttEngine({ url: base, model: "m", timeoutMs: 300 });
  const started = Date.now();
  await assert.rejects(engine.transcribe(audio8k()), SpeechTimeoutError);
  assert.ok(Date.now() - started < 5000);
});

test("aborting rejects with the signal's reason and drops the request", async () => {
  let closed!: () => void;
  const requestClosed = new Promise<void>((resolve) => (closed = resolve));
  handler = (_s, res) => res.on("close", closed);
  const engine = new HttpSttEngine({ url: base, model: "m" });
  const ac = new AbortController();
  const pending = engine.transcribe(audio8k(), { signal: ac.signal });
  setTimeout(() => ac.abort(new Error("caller hung up")), 100);
  await assert.rejects(pending, /caller hung up/);
  await requestClosed; // the server saw the connection go: the upload was really cancelled
});

test("the stream form buffers frames and sends them all at end()", async () => {
  handler = (_s, res) => json(res, 200, { text: "streamed" });
  const engine = new HttpSttEngine({ url: base, model: "m" });
  const stream = engine.startStream();
  const { samples } = audio8k();
  for (let at = 0; at < samples.length; at += 160) stream.write(samples.subarray(at, at + 160));
  assert.deepEqual(await stream.end(), { text: "streamed" });
  assert.equal(parseWav(requests.at(-1)!.file!.data).frames, 16000);
});

test("check() passes when the server answers and names the URL when nothing listens", async () => {
  handler = (_s, res) => json(res, 405, { error: "method not allowed" });
  await new HttpSttEngine({ url: base, model: "m" }).check();
  const dead = new HttpSttEngine({ url: "http://127.0.0.1:9", model: "m" });
  await assert.rejects(dead.check(), /127\.0\.0\.1:9\/v1\/audio\/transcriptions/);
  assert.equal(transcriptionsUrl("http://h:1/v1/"), "http://h:1/v1/audio/transcriptions");
});

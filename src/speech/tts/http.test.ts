import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { generateTone } from "../../media/pcm.ts";
import { pcm16ToWav } from "../../media/wav.ts";
import { SpeechEngineMissingError, SpeechFailedError, SpeechTimeoutError } from "../errors.ts";
import { HttpTtsEngine } from "./http.ts";

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage["headers"];
  body: unknown;
}

const TONE = generateTone(440, 250, 24000, 0.3);

describe("HttpTtsEngine (OpenAI /v1/audio/speech)", () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let reply: (req: IncomingMessage, res: ServerResponse) => void;

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        seen.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: text ? JSON.parse(text) : undefined,
        });
        reply(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it("POSTs the JSON body with bearer auth and decodes the WAV answer", async () => {
    seen.length = 0;
    reply = (_req, res) =>
      res.writeHead(200, { "content-type": "audio/wav" }).end(pcm16ToWav(TONE, 24000));
    const engine = new HttpTtsEngine({
      url: base,
      model: "tts-1",
      voice: "nova",
      apiKey: "sk-test",
    });
    const audio = await engine.synthesize("Hello, world", { voice: "echo" });
    assert.equal(audio.sampleRate, 24000);
    assert.deepEqual(audio.samples, TONE);
    assert.equal(seen.length, 1);
    const req = seen[0]!;
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/v1/audio/speech");
    assert.equal(req.headers.authorization, "Bearer sk-test");
    assert.match(req.headers["content-type"] ?? "", /^application\/json/);
    assert.deepEqual(req.body, {
      model: "tts-1",
      input: "Hello, world",
      voice: "echo",
      response_format: "wav",
    });
    await engine.close();
  });

  it("keeps a path prefix, uses the configured voice, and sends no auth without a key", async () => {
    seen.length = 0;
    reply = (_req, res) => res.writeHead(200).end(pcm16ToWav(TONE, 24000));
    const engine = new HttpTtsEngine({ url: `${base}/tts/`, model: "kokoro", voice: "af_bella" });
    await engine.synthesize("Hi");
    assert.equal(seen[0]!.url, "/tts/v1/audio/speech");
    assert.equal(seen[0]!.headers.authorization, undefined);
    assert.equal((seen[0]!.body as { voice: string }).voice, "af_bella");
  });

  it("turns an HTTP error into SpeechFailedError with the status and body", async () => {
    reply = (_req, res) => res.writeHead(400).end('{"error":"unknown voice"}');
    const engine = new HttpTtsEngine({ url: base, model: "m" });
    await assert.rejects(engine.synthesize("x"), (err: unknown) => {
      assert.ok(err instanceof SpeechFailedError);
      assert.match(err.message, /400.*unknown voice/);
      return true;
    });
  });

  it("rejects a non-WAV answer and an answer over the size limit", async () => {
    reply = (_req, res) =>
      res.writeHead(200, { "content-type": "audio/mpeg" }).end(Buffer.alloc(64, 0xff));
    const engine = new HttpTtsEngine({ url: base, model: "m" });
    await assert.rejects(engine.synthesize("x"), /not a readable WAV/);
    reply = (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(3000));
      res.end(Buffer.alloc(3000));
    };
    const small = new HttpTtsEngine({ url: base, model: "m", maxResponseBytes: 4000 });
    await assert.rejects(small.synthesize("x"), /exceeds 4000 bytes/);
  });

  it("times out a server that never answers", async () => {
    reply = () => {};
    const engine = new HttpTtsEngine({ url: base, model: "m", timeoutMs: 100 });
    await assert.rejects(engine.synthesize("x"), SpeechTimeoutError);
  });

  it("check() passes when the server answers at all and names the URL when it does not", async () => {
    reply = (_req, res) => res.writeHead(404).end();
    await new HttpTtsEngine({ url: base, model: "m" }).check();
    assert.equal(seen.at(-1)!.url, "/v1/models");
    const dead = new HttpTtsEngine({ url: "http://127.0.0.1:9", model: "m" });
    await assert.rejects(dead.check(), (err: unknown) => {
      assert.ok(err instanceof SpeechEngineMissingError);
      assert.match(err.message, /127\.0\.0\.1:9/);
      return true;
    });
  });
});

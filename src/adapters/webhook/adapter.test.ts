// The webhook adapter against a real node:http endpoint: the event parses with the exported
// schema and carries a signature that verifies with the secret only; each kind of answer (2xx,
// 3xx, 4xx, 408/429/5xx, none, a refused connection, an endless body) ends the delivery as the
// outbox's contract says.

import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { pino } from "pino";
import { testCommunication, testVoicemail } from "../../../test/support/store.ts";
import type { Address } from "../../core/address.ts";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError } from "../../core/errors.ts";
import { defaultProfile } from "../../core/profile.ts";
import type { RouteOptions } from "../../core/routing.ts";
import { defaultConverters } from "../../gateway/convert/registry.ts";
import { retryAfterMsOf } from "./answer.ts";
import { create, verifyWebhook, webhookEventSchema } from "./index.ts";

const SECRET = "ops-shared-secret-0123456789";
const OPS: Address = { scheme: "webhook", id: "ops" };

interface Seen {
  headers: IncomingMessage["headers"];
  body: string;
}

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

describe("webhook adapter", () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let answer: Answer = (_req, res) => res.end();

  before(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      answer(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const adapter = (timeoutMs = 5000, url = `${base}/hook`) => {
    const [a] =
      create(
        { webhooks: [{ id: "ops", url, secret: SECRET, timeoutMs }], userAgent: "omnivox/9.9.9" },
        { logger: pino({ level: "silent" }) },
      ).adapters ?? [];
    assert.ok(a);
    return a;
  };
  const converters = defaultConverters({
    audioLinks: {
      urlFor: (id, _ttl, format) => `http://omnivox.test/api/v1/audio/${id}?format=${format}`,
    },
  });
  const send = async (
    c: Communication = testVoicemail({
      body: { audioId: "rec-1", durationMs: 3000, transcript: "call me back" },
    }),
    opts: {
      timeoutMs?: number;
      url?: string;
      route?: RouteOptions;
      deliveryId?: string;
      to?: Address;
    } = {},
  ) => {
    const rendition = await converters.convert(c, OPS, defaultProfile("alice"), opts.route ?? {});
    return adapter(opts.timeoutMs, opts.url).send(c, rendition, {
      deliveryId: opts.deliveryId ?? "d-1",
      address: opts.to ?? OPS,
      attempt: 1,
    });
  };
  const rejectsWith = async (work: Promise<unknown>, permanent: boolean, message: RegExp) => {
    await assert.rejects(work, (err: unknown) => {
      assert.ok(err instanceof DeliveryError, String(err));
      assert.equal(err.permanent, permanent, err.message);
      assert.match(err.message, message);
      return true;
    });
  };

  it("posts a voicemail as a signed event the exported schema parses", async () => {
    answer = (_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end('{"id":"evt-77"}');
    const nativeId = await send(undefined, { route: { audioFormat: "mp3" } });
    assert.equal(nativeId, "evt-77");
    assert.equal(seen.length, 1);
    const [req] = seen;
    assert.ok(req);
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(req.headers["user-agent"], "omnivox/9.9.9");
    assert.equal(req.headers["x-omnivox-delivery"], "d-1");
    const timestamp = Number(req.headers["x-omnivox-timestamp"]);
    assert.ok(Math.abs(timestamp - Date.now() / 1000) < 300, `timestamp ${timestamp}`);
    const signature = String(req.headers["x-omnivox-signature"]);
    assert.match(signature, /^sha256=[0-9a-f]{64}$/);
    assert.ok(verifyWebhook(SECRET, timestamp, req.body, signature));
    assert.ok(!verifyWebhook("another-secret-0123456789", timestamp, req.body, signature));
    assert.ok(!verifyWebhook(SECRET, timestamp + 1, req.body, signature));
    assert.ok(
      !verifyWebhook(SECRET, timestamp, req.body.replace("call me", "wire money"), signature),
    );

    const event = webhookEventSchema.parse(JSON.parse(req.body));
    assert.equal(event.id, "d-1");
    assert.equal(event.type, "communication.received");
    assert.equal(event.at, "2025-03-01T10:04:05.000Z");
    assert.deepEqual(event.communication.from, {
      address: "tel:+15550001",
      display: "Bob <+15550001>",
    });
    assert.equal(event.communication.kind, "voicemail");
    assert.equal(event.communication.transcript, "call me back");
    assert.equal(event.communication.durationMs, 3000);
    assert.equal(event.communication.text, undefined);
    assert.deepEqual(event.communication.audio, {
      url: "http://omnivox.test/api/v1/audio/rec-1?format=mp3",
      contentType: "audio/mpeg",
    });
  });

  it("keeps the transcript out when the route says transcribe: false; mail carries its text", async () => {
    answer = (_req, res) => res.writeHead(204).end();
    assert.equal(await send(undefined, { route: { transcribe: false } }), undefined);
    const voice = webhookEventSchema.parse(JSON.parse(seen[0]?.body ?? ""));
    assert.equal(voice.communication.transcript, undefined);
    assert.equal(voice.communication.audio?.contentType, "audio/wav");

    await send(testCommunication({ subject: "Lunch?", body: { text: "At noon." } }));
    const mail = webhookEventSchema.parse(JSON.parse(seen[1]?.body ?? ""));
    assert.equal(mail.communication.kind, "email");
    assert.equal(mail.communication.subject, "Lunch?");
    assert.equal(mail.communication.text, "At noon.");
    assert.equal(mail.communication.audio, undefined);
    assert.deepEqual(mail.communication.from, {
      address: "mailto:bob@example.org",
      display: "Bob <bob@example.org>",
    });
  });

  it("500 is transient and the retry carries the same delivery id", async () => {
    let calls = 0;
    answer = (_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(500, { "content-type": "text/plain" }).end("database down");
      else res.writeHead(200).end("thanks");
    };
    await rejectsWith(send(), false, /webhook ops: 500 Internal Server Error: database down/);
    assert.equal(await send(), undefined, "a body that is no JSON id names nothing");
    assert.deepEqual(
      seen.map((s) => s.headers["x-omnivox-delivery"]),
      ["d-1", "d-1"],
    );
    // Each attempt is signed anew, and each signature verifies.
    for (const s of seen)
      assert.ok(
        verifyWebhook(
          SECRET,
          Number(s.headers["x-omnivox-timestamp"]),
          s.body,
          String(s.headers["x-omnivox-signature"]),
        ),
      );
  });

  it("408 and 429 are transient, naming Retry-After; other 4xx are permanent with the body", async () => {
    answer = (_req, res) => res.writeHead(429, { "retry-after": "120" }).end("slow down");
    await rejectsWith(send(), false, /429 Too Many Requests \(Retry-After 120\): slow down/);
    // The outbox is told how long the endpoint asked to be left alone.
    await assert.rejects(send(), (err: unknown) => (err as DeliveryError).retryAfterMs === 120_000);
    answer = (_req, res) => res.writeHead(408).end();
    await rejectsWith(send(), false, /408 Request Timeout$/);
    answer = (_req, res) =>
      res.writeHead(404, { "content-type": "text/html" }).end("<h1>No\r\nsuch\thook</h1>");
    await rejectsWith(send(), true, /^webhook ops: 404 Not Found: <h1>No such hook<\/h1>$/);
    answer = (_req, res) => res.writeHead(503, `Busy${"!".repeat(5000)}`).end();
    await rejectsWith(send(), false, /^webhook ops: 503 Busy!{196}…$/);
    answer = (_req, res) => res.writeHead(401).end();
    await rejectsWith(send(), true, /401 Unauthorized/);
  });

  it("reads Retry-After as seconds or an HTTP-date, and ignores anything else", () => {
    const now = Date.parse("2026-03-01T10:00:00Z");
    assert.equal(retryAfterMsOf("120", now), 120_000);
    assert.equal(retryAfterMsOf(" 0 ", now), 0);
    assert.equal(retryAfterMsOf("Sun, 01 Mar 2026 10:01:30 GMT", now), 90_000);
    assert.equal(retryAfterMsOf("Sun, 01 Mar 2026 09:00:00 GMT", now), 0, "a date gone by");
    assert.equal(retryAfterMsOf("2026", now), 2_026_000, "digits are seconds, never a year");
    for (const bad of ["-5", "1.5", "soon", "", "99999999999"])
      assert.equal(retryAfterMsOf(bad, now), undefined, bad);
    assert.equal(retryAfterMsOf(undefined, now), undefined);
  });

  it("a redirect is not followed and fails for good, naming where it pointed", async () => {
    answer = (_req, res) => res.writeHead(302, { location: `${base}/elsewhere` }).end();
    await rejectsWith(
      send(),
      true,
      /302 Found redirects to http:\/\/127\.0\.0\.1:\d+\/elsewhere; redirects are not followed/,
    );
    assert.equal(seen.length, 1, "nothing was posted to the new location");
  });

  it("an endpoint that never answers times out, transient", async () => {
    answer = () => {};
    await rejectsWith(
      send(undefined, { timeoutMs: 200 }),
      false,
      /webhook ops: no answer within 200 ms/,
    );
  });

  it("a refused connection and an unknown host are transient, naming the cause", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await rejectsWith(send(undefined, { url: `http://127.0.0.1:${port}/` }), false, /ECONNREFUSED/);
    // RFC 6761: .invalid never resolves; without a resolver at all the attempt times out.
    await rejectsWith(
      send(undefined, { url: "http://omnivox-hook.invalid/", timeoutMs: 3000 }),
      false,
      /ENOTFOUND|EAI_AGAIN|no answer within/,
    );
  });

  it("an endless answer is read no further than its first KiBs, with or without success", async () => {
    const chunk = Buffer.alloc(64 * 1024, "x");
    let written = 0;
    const endless =
      (status: number): Answer =>
      (_req, res) => {
        res.writeHead(status, { "content-type": "application/json" });
        const more = () => {
          // Stops by itself after 256 MiB, far more than a bounded reader ever takes.
          while (written < 256 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
          if (written < 256 * 1024 * 1024 && !res.destroyed) res.once("drain", more);
          else res.end();
        };
        res.on("close", () => res.off("drain", more));
        more();
      };
    answer = endless(200);
    assert.equal(await send(), undefined);
    assert.ok(written < 64 * 1024 * 1024, `the endpoint wrote ${written} bytes before the cut`);
    written = 0;
    answer = endless(503);
    await assert.rejects(send(), (err: unknown) => {
      assert.ok(err instanceof DeliveryError && !err.permanent);
      assert.match(err.message, /^webhook ops: 503 Service Unavailable: x+…$/);
      assert.ok(err.message.length < 300, `message of ${err.message.length} characters`);
      return true;
    });
  });

  it("a hostile 2xx id is ignored rather than kept; an unconfigured webhook fails for good", async () => {
    answer = (_req, res) => res.writeHead(200).end(JSON.stringify({ id: "y".repeat(5000) }));
    assert.equal(await send(), undefined);
    answer = (_req, res) => res.writeHead(200).end('{"id": 42}');
    assert.equal(await send(), undefined);
    await rejectsWith(
      send(undefined, { to: { scheme: "webhook", id: "gone" } }),
      true,
      /no webhook "gone" in the configuration \(webhooks\[\]\.id\)/,
    );
    assert.equal(seen.length, 2);
  });
});

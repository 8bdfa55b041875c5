// POST /session under password guessing, over real HTTP: 50 wrong passwords from one source get
// 429 with Retry-After once the limit is reached, the right password from that source is refused
// while it is banned, and the right password from another source (127.0.0.2) still logs in.

import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import type { TestServer } from "../../../test/support/http-app.ts";
import { startTestServer } from "../../../test/support/http-app.ts";

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: Record<string, unknown>;
}

/** POST /api/v1/session from a chosen loopback source address. */
function login(t: TestServer, source: string, user: string, password: string): Promise<Answer> {
  const url = new URL("/api/v1/session", t.base);
  const payload = JSON.stringify({ user, password });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: source,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => {
          const retry = res.headers["retry-after"];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: typeof retry === "string" ? retry : undefined,
            body: JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

describe("login throttling", () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer({
      config: { http: { loginThrottle: { source: { maxFailures: 10, banMs: 60_000 } } } },
    });
    await t.userWithToken("alice", "alice-password");
  });
  after(() => t.close());

  it("50 wrong passwords from one source: 401 up to the limit, then 429 with Retry-After", async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 50; i++) answers.push(await login(t, "127.0.0.1", "alice", `guess-${i}`));
    const statuses = answers.map((a) => a.status);
    assert.deepEqual(statuses.slice(0, 9), Array(9).fill(401));
    assert.deepEqual(statuses.slice(9), Array(41).fill(429), statuses.join(","));
    for (const a of answers.slice(9)) {
      assert.equal(a.body.error, "OMNIVOX_ERR_RATE_LIMITED");
      const seconds = Number(a.retryAfter);
      assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, a.retryAfter);
    }
    // Banned: even the right password from this source is not tried, so a hit is not recognisable.
    const right = await login(t, "127.0.0.1", "alice", "alice-password");
    assert.equal(right.status, 429);
    // The owner, from a clean source, still gets in.
    const owner = await login(t, "127.0.0.2", "alice", "alice-password");
    assert.equal(owner.status, 200, JSON.stringify(owner.body));
    assert.equal(typeof owner.body.token, "string");
    const metrics = await (await t.call("GET", "/metrics")).text();
    assert.match(metrics, /omnivox_login_throttled\{kind="source"\} 1/);
    assert.match(metrics, /omnivox_login_throttled\{kind="account"\} 0/);
    // Each refusal is logged with its source, for fail2ban.
    const log = t.logs.join("");
    assert.match(log, /"source":"127\.0\.0\.1".*"msg":"login throttled"/);
  });

  it("a bad body is 400 naming the field and costs the source nothing", async () => {
    for (let i = 0; i < 20; i++) {
      const res = await t.call("POST", "/api/v1/session", { body: { user: "alice", pass: "x" } });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { field: string }).field, "password");
    }
    const ok = await login(t, "127.0.0.3", "alice", "alice-password");
    assert.equal(ok.status, 200);
  });
});

describe("login throttling per account", () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer({
      config: {
        http: {
          loginThrottle: {
            source: { maxFailures: 100 },
            account: { maxFailures: 5, banMs: 60_000 },
          },
        },
      },
    });
    await t.userWithToken("alice", "alice-password");
  });
  after(() => t.close());

  it("an account guessed from many sources refuses those sources, not a clean one", async () => {
    const sources = ["127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14", "127.0.0.15"];
    const statuses: number[] = [];
    for (const source of sources) statuses.push((await login(t, source, "alice", "nope")).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
    // Every guessing source is now refused for alice, with the right password too.
    for (const source of sources) {
      const res = await login(t, source, "alice", "alice-password");
      assert.equal(res.status, 429, source);
      assert.ok(Number(res.retryAfter) >= 1);
    }
    const owner = await login(t, "127.0.0.20", "alice", "alice-password");
    assert.equal(owner.status, 200);
  });
});

// DigestThrottle: source bans, account bans that spare clean sources, one warn line per ban.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { DigestThrottle } from "./digest-throttle.ts";

const rule = (maxFailures: number, banMs: number) => ({
  maxFailures,
  windowMs: 600_000,
  banMs,
  banFactor: 2,
  maxBanMs: 3_600_000,
  forgetMs: 86_400_000,
});

function setup() {
  let now = 1_000_000;
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const logger = pino(
    { level: "info" },
    {
      write: (line: string) => {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  const throttle = new DigestThrottle({
    source: rule(3, 60_000),
    account: rule(5, 300_000),
    maxKeys: 100,
    logger,
    now: () => now,
  });
  return { throttle, lines, raw, advance: (ms: number) => (now += ms) };
}

describe("DigestThrottle", () => {
  it("bans a source after maxFailures, doubling the ban, and logs its start once", () => {
    const { throttle, lines, advance } = setup();
    assert.equal(throttle.fail("192.0.2.1", "alice").allowed, true);
    assert.equal(throttle.fail("192.0.2.1", "alice").allowed, true);
    const third = throttle.fail("192.0.2.1", "alice");
    assert.deepEqual(third, { allowed: false, scope: "source", retryAfterMs: 60_000 });
    assert.equal(throttle.check("192.0.2.1", "bob").allowed, false, "every account");
    assert.equal(throttle.check("192.0.2.2", "alice").allowed, true, "another source");
    const bans = lines.filter((l) => l.msg === "sip digest ban started");
    assert.equal(bans.length, 1);
    assert.deepEqual(
      { source: bans[0]?.source, account: bans[0]?.account, banMs: bans[0]?.banMs },
      { source: "192.0.2.1", account: "alice", banMs: 60_000 },
    );
    assert.equal(
      lines.some((l) => JSON.stringify(l).includes("response")),
      false,
    );
    advance(60_001);
    for (let i = 0; i < 3; i++) throttle.fail("192.0.2.1", "alice");
    assert.equal(
      (throttle.check("192.0.2.1", "x") as { retryAfterMs: number }).retryAfterMs,
      120_000,
    );
  });

  it("a banned account refuses sources that failed, not a clean one", () => {
    const { throttle } = setup();
    for (let i = 0; i < 5; i++) throttle.fail(`198.51.100.${i}`, "alice");
    assert.equal(throttle.banned().accounts, 1);
    assert.deepEqual(throttle.check("198.51.100.4", "alice"), {
      allowed: false,
      scope: "account",
      retryAfterMs: 300_000,
    });
    assert.equal(throttle.check("203.0.113.9", "alice").allowed, true, "the owner at home");
    assert.equal(throttle.check("198.51.100.4", "bob").allowed, true, "other accounts");
  });

  it("the ban line matches the fail2ban filter in docs/security.md, and a crafted username cannot", () => {
    const { throttle, raw } = setup();
    // failregex = "source":"<HOST>".*"scope":"source".*"msg":"sip digest ban started"
    const failregex = /"source":"([0-9a-f.:]+)".*"scope":"source".*"msg":"sip digest ban started"/;
    const crafted = 'x","source":"192.0.2.99","scope":"source","msg":"sip digest ban started';
    for (let i = 0; i < 3; i++) throttle.fail("198.51.100.7", crafted);
    const hits = raw.map((l) => failregex.exec(l)?.[1]).filter((h) => h !== undefined);
    assert.deepEqual(hits, ["198.51.100.7"]);
  });

  it("a success clears the source's count", () => {
    const { throttle } = setup();
    throttle.fail("192.0.2.1", "alice");
    throttle.fail("192.0.2.1", "alice");
    throttle.succeed("192.0.2.1");
    throttle.fail("192.0.2.1", "alice");
    throttle.fail("192.0.2.1", "alice");
    assert.equal(throttle.check("192.0.2.1", "alice").allowed, true);
  });
});

import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import type { Gateway } from "../../core/ports.ts";
import { readBounded } from "./bounded-read.ts";
import { createRecipientPolicy, domainOf } from "./recipients.ts";

describe("domainOf", () => {
  it("takes the part after the last @, lower-cased, without a root dot", () => {
    assert.equal(domainOf("a@Example.TEST."), "example.test");
    assert.equal(domainOf('"a@b"@c.test'), "c.test");
    assert.equal(domainOf("nodomain"), undefined);
    assert.equal(domainOf("@c.test"), undefined);
    assert.equal(domainOf("a@"), undefined);
  });
});

describe("recipient policy", () => {
  const lookups: string[] = [];
  const gateway: Gateway = {
    receive: () => Promise.reject(new Error("not used")),
    resolveUser: async (a) => {
      if (a.scheme !== "mailto") return undefined;
      lookups.push(a.email);
      return a.email === "alice@example.test" ? "u1" : undefined;
    },
  };
  const check = createRecipientPolicy(["example.test"], gateway);

  it("accepts a user of ours, refuses unknown users and foreign domains", async () => {
    assert.deepEqual(await check("Alice@Example.Test"), {
      ok: true,
      recipient: { email: "alice@example.test", userId: "u1" },
    });
    const unknown = await check("zed@example.test");
    assert.equal(unknown.ok || unknown.reply.responseCode, 550);
    assert.ok(!unknown.ok && /5\.1\.1/.test(unknown.reply.message));
    lookups.length = 0;
    const foreign = await check("alice@evil.test");
    assert.ok(!foreign.ok && /5\.7\.1/.test(foreign.reply.message));
    assert.deepEqual(lookups, [], "no user lookup for a foreign domain");
    const bad = await check("no-at-sign");
    assert.ok(!bad.ok && bad.reply.responseCode === 553);
  });
});

describe("readBounded", () => {
  it("keeps at most maxBytes and drains the rest", async () => {
    const s = new PassThrough();
    const read = readBounded(s, 5);
    s.write("abc");
    s.write("defgh");
    s.end("ij");
    const r = await read;
    assert.equal(r.buffer.toString(), "abcde");
    assert.equal(r.bytes, 10);
    assert.equal(r.overflow, true);
  });

  it("reports no overflow at exactly the limit, and rejects a stream cut short", async () => {
    const s = new PassThrough();
    const read = readBounded(s, 3);
    s.end("abc");
    assert.deepEqual(await read, { buffer: Buffer.from("abc"), bytes: 3, overflow: false });
    const cut = new PassThrough();
    const pending = readBounded(cut, 3);
    cut.write("a");
    cut.destroy();
    await assert.rejects(pending);
  });
});

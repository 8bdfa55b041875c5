import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../core/errors.ts";
import { loadConfig, parseConfig } from "./load.ts";

test("no file at all gives the documented defaults", async () => {
  const c = await loadConfig(undefined, {});
  assert.equal(c.database, "sqlite");
  assert.equal(c.dataDir, "./data");
  assert.equal(c.http.listen, "127.0.0.1:8080");
  assert.equal(c.smtp.listen, "127.0.0.1:2525");
  assert.equal(c.sip.listen, "127.0.0.1:5060");
});

test("an unknown key stops start-up naming the key", () => {
  assert.throws(
    () => parseConfig({ smtp: { domians: ["x"] } }),
    (e: unknown) => e instanceof ConfigError && /smtp\.domians: unknown key/.test(e.message),
  );
  assert.throws(() => parseConfig({ bogus: 1 }), /bogus: unknown key/);
});

test("a wrong value names the key and says what is expected", () => {
  assert.throws(
    () => parseConfig({ http: { listen: "8080" } }),
    /http\.listen: expected host:port/,
  );
  assert.throws(
    () => parseConfig({ database: "mysql://x" }),
    /database: expected "sqlite" or a postgres/,
  );
  assert.throws(() => parseConfig({ smtpOut: { port: "25" } }), /smtpOut\.port/);
  assert.throws(() => parseConfig(["a"]), /top level must be a mapping/);
});

test("environment overrides file values", () => {
  const c = parseConfig(
    { http: { listen: "127.0.0.1:1" } },
    {
      OMNIVOX_HTTP_LISTEN: "127.0.0.1:0",
      OMNIVOX_SMTP_OUT_PORT: "2526",
      OMNIVOX_ADMIN_TOKEN: "env-admin-token-0123456789",
    },
  );
  assert.equal(c.http.listen, "127.0.0.1:0");
  assert.equal(c.smtpOut.port, 2526);
  assert.equal(c.http.adminToken, "env-admin-token-0123456789");
});

test("a weak admin token stops start-up naming http.adminToken, from the file or the environment", async () => {
  const example = await readFile(
    new URL("../../config/omnivox.example.yaml", import.meta.url),
    "utf8",
  );
  const placeholder = /adminToken: (\S+)/.exec(example)?.[1];
  assert.equal(placeholder, "change-me-to-a-long-random-string");
  for (const token of [placeholder, "x".repeat(20), "short-token", "abcabcabcabcabcabcabcabc"]) {
    assert.throws(
      () => parseConfig({ http: { adminToken: token } }),
      (e: unknown) => e instanceof ConfigError && /http\.adminToken: /.test(e.message),
      token,
    );
    assert.throws(() => parseConfig({}, { OMNIVOX_ADMIN_TOKEN: token }), /http\.adminToken/);
  }
  // Unset is fine: a strong one is generated at start (app/admin-token.ts).
  assert.equal(parseConfig({}).http.adminToken, undefined);
});

test("a YAML file is read; broken YAML and a missing file are clear errors", async () => {
  const dir = await mkdtemp(join(tmpdir(), "omnivox-cfg-"));
  const good = join(dir, "good.yaml");
  await writeFile(good, "smtp:\n  domains: [example.com]\n  listen: 127.0.0.1:0\n");
  const c = await loadConfig(good, {});
  assert.deepEqual(c.smtp.domains, ["example.com"]);
  const bad = join(dir, "bad.yaml");
  await writeFile(bad, "smtp: [\n");
  await assert.rejects(loadConfig(bad, {}), /not valid YAML/);
  await assert.rejects(
    loadConfig(join(dir, "none.yaml"), {}),
    /cannot read the configuration file/,
  );
});

test("the shipped example configuration is valid and documents every top-level key", async () => {
  const example = new URL("../../config/omnivox.example.yaml", import.meta.url).pathname;
  const c = await loadConfig(example, {});
  const text = await (await import("node:fs/promises")).readFile(example, "utf8");
  for (const key of Object.keys(c))
    assert.match(text, new RegExp(`^#? ?${key}:`, "m"), `${key} is documented`);
});

test("sip.trustedProxies takes host addresses only", () => {
  assert.deepEqual(parseConfig({}).sip.trustedProxies, []);
  assert.deepEqual(
    parseConfig({ sip: { trustedProxies: ["192.0.2.10", "2001:db8::1"] } }).sip.trustedProxies,
    ["192.0.2.10", "2001:db8::1"],
  );
  for (const bad of ["proxy.example.com", "192.0.2.0/24", ""]) {
    assert.throws(
      () => parseConfig({ sip: { trustedProxies: [bad] } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /sip\.trustedProxies/.test(err.message) &&
        /IP address/.test(err.message),
      bad,
    );
  }
});

test("sip.trunks: proxy form, unique ids, credentials that go together", () => {
  const trunk = { id: "carrier", proxy: "sip.carrier.test:5080;transport=tcp", numbers: ["+1"] };
  const c = parseConfig({ sip: { trunks: [trunk] } });
  assert.deepEqual(c.sip.trunks[0], { ...trunk, register: false, registerExpires: 600 });
  assert.deepEqual(parseConfig({}).sip.trunks, []);
  assert.throws(
    () => parseConfig({ sip: { trunks: [{ ...trunk, proxy: "sip:carrier.test" }] } }),
    /sip\.trunks\.0\.proxy: expected host\[:port\]/,
  );
  assert.throws(
    () => parseConfig({ sip: { trunks: [{ ...trunk, proxy: "carrier.test:70000" }] } }),
    /sip\.trunks\.0\.proxy: port must be 1–65535/,
  );
  assert.throws(
    () => parseConfig({ sip: { trunks: [trunk, { ...trunk, proxy: "10.0.0.1" }] } }),
    /sip\.trunks\.1\.id: duplicate id "carrier"/,
  );
  assert.throws(
    () => parseConfig({ sip: { trunks: [{ ...trunk, username: "acct" }] } }),
    /username and password go together/,
  );
  assert.throws(
    () => parseConfig({ sip: { trunks: [{ ...trunk, register: true }] } }),
    /sip\.trunks\.0\.register: register needs a username/,
  );
  assert.throws(
    () => parseConfig({ sip: { trunks: [{ ...trunk, numbers: ["+1-555"] }] } }),
    /sip\.trunks\.0\.numbers\.0/,
  );
  // The password never appears in a validation message.
  assert.throws(
    () => parseConfig({ sip: { trunks: [{ ...trunk, password: "hunter22", registr: true }] } }),
    (e: unknown) => e instanceof ConfigError && !e.message.includes("hunter22"),
  );
});

test("sip.tls: listen defaults to 5061; cert and key come together or not at all", () => {
  assert.equal(parseConfig({}).sip.tls, undefined);
  const tls = parseConfig({ sip: { tls: {} } }).sip.tls;
  assert.deepEqual(tls, { listen: "127.0.0.1:5061" });
  assert.deepEqual(parseConfig({ sip: { tls: { cert: "/c.pem", key: "/k.pem" } } }).sip.tls, {
    listen: "127.0.0.1:5061",
    cert: "/c.pem",
    key: "/k.pem",
  });
  assert.throws(
    () => parseConfig({ sip: { tls: { cert: "/c.pem" } } }),
    /sip\.tls\.cert: set both cert and key/,
  );
  assert.throws(() => parseConfig({ sip: { tls: { listen: "5061" } } }), /sip\.tls\.listen/);
  assert.throws(() => parseConfig({ sip: { tls: { ca: "x" } } }), /sip\.tls\.ca: unknown key/);
});

test("media: audio conversion limits have defaults, and a misspelt key is refused by name", () => {
  const media = parseConfig({}).media;
  assert.equal(media.budgetMs, 20_000);
  assert.equal(media.maxBytes, 32 * 1024 * 1024);
  assert.equal(media.inlineBytes, 64 * 1024);
  assert.equal(media.workers, undefined);
  assert.equal(parseConfig({ media: { workers: 3 } }).media.workers, 3);
  assert.throws(() => parseConfig({ media: { budget: 1 } }), /media.*budget/);
  assert.throws(() => parseConfig({ media: { budgetMs: 10 } }), /media\.budgetMs/);
});

/** Asserts that `raw` stops start-up with a ConfigError whose message names `key` and says `why`. */
function refused(raw: Record<string, unknown>, key: string, why: RegExp): void {
  assert.throws(
    () => parseConfig(raw),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      const line = e.message.split("\n").find((l) => l.trim().startsWith(`${key}: `));
      assert.ok(line, `no line for ${key} in:\n${e.message}`);
      assert.match(line, why);
      return true;
    },
    JSON.stringify(raw),
  );
}

test("xmpp: server is host:port without a scheme, and needs domain and secret", () => {
  const good = { server: "xmpp.example.net:5347", domain: "gw.example.net", secret: "s3cret" };
  assert.deepEqual(parseConfig({ xmpp: good }).xmpp, {
    ...good,
    receiptWaitMs: 800,
    receiptTimeoutMs: 10_000,
  });
  assert.equal(parseConfig({ xmpp: { ...good, receiptWaitMs: 2000 } }).xmpp.receiptWaitMs, 2000);
  assert.equal(
    parseConfig({ xmpp: { ...good, server: "[2001:db8::1]:5347" } }).xmpp.server,
    "[2001:db8::1]:5347",
  );
  assert.equal(parseConfig({}).xmpp.server, undefined);
  for (const server of ["xmpp://xmpp.example.net:5347", "xmpp.example.net", "host:0", "host:70000"])
    refused({ xmpp: { ...good, server } }, "xmpp.server", /host:port|port must be 1–65535/);
  refused(
    { xmpp: { server: good.server, secret: "s" } },
    "xmpp.domain",
    /required when xmpp\.server/,
  );
  refused(
    { xmpp: { server: good.server, domain: "d" } },
    "xmpp.secret",
    /required when xmpp\.server/,
  );
  // The secret may come from the environment instead of the file.
  assert.equal(
    parseConfig({ xmpp: { server: good.server, domain: "d" } }, { OMNIVOX_XMPP_SECRET: "env" }).xmpp
      .secret,
    "env",
  );
  // Without a server, domain and secret alone are harmless.
  assert.equal(parseConfig({ xmpp: { domain: "d" } }).xmpp.domain, "d");
});

test("lower bounds may not exceed their upper bounds, naming the lower key", () => {
  refused(
    { legacyVoicemail: { retryMinMs: 5000, retryMaxMs: 1000 } },
    "legacyVoicemail.retryMinMs",
    /must not be above retryMaxMs/,
  );
  refused(
    { outbox: { backoffBaseMs: 60_000, backoffMaxMs: 1000 } },
    "outbox.backoffBaseMs",
    /must not be above backoffMaxMs/,
  );
  refused(
    { voicemail: { minMessageMs: 5000, maxMessageMs: 2000 } },
    "voicemail.minMessageMs",
    /must not be above maxMessageMs/,
  );
  refused(
    { voicemail: { pinLockout: { banMs: 3600_000, maxBanMs: 60_000 } } },
    "voicemail.pinLockout.banMs",
    /must not be above maxBanMs/,
  );
  refused(
    { sip: { authThrottle: { source: { banMs: 7200_000 } } } },
    "sip.authThrottle.source.banMs",
    /must not be above maxBanMs/,
  );
  refused({ sip: { rtpPorts: "30000-20000" } }, "sip.rtpPorts", /bad RTP port range/);
  refused({ sip: { rtpPorts: "20001-20001" } }, "sip.rtpPorts", /even/);
  // Equal bounds are a fixed value, not an error.
  const c = parseConfig({
    legacyVoicemail: { retryMinMs: 1000, retryMaxMs: 1000 },
    outbox: { backoffBaseMs: 500, backoffMaxMs: 500 },
    voicemail: { minMessageMs: 500, maxMessageMs: 500 },
    sip: { rtpPorts: "20000-20001" },
  });
  assert.equal(c.legacyVoicemail.retryMaxMs, 1000);
  assert.equal(c.outbox.backoffMaxMs, 500);
});

test("smdi link ids are unique", () => {
  const links = [
    { id: "pbx", connect: "192.0.2.5:7000" },
    { id: "box", listen: "127.0.0.1:0" },
  ];
  assert.equal(parseConfig({ smdi: links }).smdi.length, 2);
  refused(
    { smdi: [...links, { id: "pbx", listen: "127.0.0.1:0" }] },
    "smdi.2.id",
    /duplicate id "pbx"/,
  );
});

test("webhooks: unique ids, an http(s) URL, a long secret, a bounded timeout", () => {
  const ops = { id: "ops", url: "https://ops.example.com/hook", secret: "s".repeat(16) };
  assert.deepEqual(parseConfig({}).webhooks, []);
  assert.deepEqual(parseConfig({ webhooks: [ops] }).webhooks, [{ ...ops, timeoutMs: 10_000 }]);
  refused(
    { webhooks: [ops, { ...ops, url: "http://b.example" }] },
    "webhooks.1.id",
    /duplicate id "ops"/,
  );
  for (const url of ["ftp://ops.example.com/", "ops.example.com", "javascript:alert(1)", ""])
    refused({ webhooks: [{ ...ops, url }] }, "webhooks.0.url", /http: or https: URL/);
  refused({ webhooks: [{ ...ops, secret: "short" }] }, "webhooks.0.secret", /at least 16/);
  refused(
    { webhooks: [{ ...ops, url: "https://ops:hunter2@ops.example.com/" }] },
    "webhooks.0.url",
    /must not hold user:password/,
  );
  refused({ webhooks: [{ ...ops, id: "a:b" }] }, "webhooks.0.id", /A-Z a-z 0-9/);
  refused(
    { webhooks: [{ ...ops, timeoutMs: 0 }] },
    "webhooks.0.timeoutMs",
    />=1|at least|too small/i,
  );
  refused({ webhooks: [{ ...ops, headers: {} }] }, "webhooks.0.headers", /unknown key/);
});

test("sip.mediaAddress is required when sip.listen is a wildcard, and is never one itself", () => {
  for (const listen of ["0.0.0.0:5060", "[::]:5060"])
    refused({ sip: { listen } }, "sip.mediaAddress", /required when sip\.listen is a wildcard/);
  refused({ sip: { mediaAddress: "0.0.0.0" } }, "sip.mediaAddress", /not a wildcard/);
  const c = parseConfig({ sip: { listen: "0.0.0.0:5060", mediaAddress: "192.0.2.7" } });
  assert.equal(c.sip.mediaAddress, "192.0.2.7");
  assert.equal(parseConfig({ sip: { listen: "192.0.2.7:5060" } }).sip.mediaAddress, undefined);
});

test("icw.outboundProxy is a host:port to connect to", () => {
  assert.equal(
    parseConfig({ icw: { outboundProxy: "192.0.2.10:5060" } }).icw.outboundProxy,
    "192.0.2.10:5060",
  );
  for (const outboundProxy of ["sip:192.0.2.10:5060", "192.0.2.10:0", "192.0.2.10"])
    refused({ icw: { outboundProxy } }, "icw.outboundProxy", /host:port|port must be 1–65535/);
});

test("cluster: needs PostgreSQL, a nats:// URL and a plain node id", () => {
  const pg = "postgres://omnivox@db.example.net/omnivox";
  const cluster = parseConfig({
    database: pg,
    cluster: { nats: "nats://n1:4222, nats://n2:4222" },
  }).cluster;
  assert.deepEqual(cluster, { nats: "nats://n1:4222, nats://n2:4222", name: "omnivox" });
  assert.equal(parseConfig({}).cluster, undefined);
  refused({ cluster: { nats: "nats://n1:4222" } }, "cluster", /postgres:\/\/ URL/);
  refused({ database: pg, cluster: { nats: "n1:4222" } }, "cluster.nats", /nats:\/\/host:port/);
  refused(
    { database: pg, cluster: { nats: "nats://n1:4222", nodeId: "node one" } },
    "cluster.nodeId",
    /letters, digits/,
  );
});

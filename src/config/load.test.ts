import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
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
      OMNIVOX_ADMIN_TOKEN: "x".repeat(20),
    },
  );
  assert.equal(c.http.listen, "127.0.0.1:0");
  assert.equal(c.smtpOut.port, 2526);
  assert.equal(c.http.adminToken, "x".repeat(20));
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

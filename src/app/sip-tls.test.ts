// The TLS listener's certificate at start-up: generated once into dataDir and logged, reused,
// or the operator's files — and clear configuration errors for files that are not usable.

import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { parseConfig } from "../config/load.ts";
import { ConfigError } from "../core/errors.ts";
import { createSelfSigned } from "../protocols/tls/self-signed.ts";
import { tlsListener } from "./sip-tls.ts";

function capture() {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (l: string) => lines.push(l) });
  return { logger, lines };
}

describe("tlsListener", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "omnivox-sip-tls-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("generates a self-signed certificate for the domain and address, says so, then reuses it", async () => {
    const config = parseConfig({
      sip: { domain: "vm.example", mediaAddress: "192.0.2.9", tls: { listen: "0.0.0.0:5061" } },
    });
    const first = capture();
    const a = await tlsListener(config, { dataDir: dir, logger: first.logger });
    assert.equal(a.host, "0.0.0.0");
    assert.equal(a.port, 5061);
    const x = new X509Certificate(a.cert);
    assert.equal(x.checkHost("vm.example"), "vm.example");
    assert.equal(x.checkIP("192.0.2.9"), "192.0.2.9");
    assert.match(
      first.lines.join(""),
      /self-signed certificate generated at .*sip-tls\.crt; set sip\.tls\.cert\/key/,
    );
    const second = capture();
    const b = await tlsListener(config, { dataDir: dir, logger: second.logger });
    assert.equal(b.cert, a.cert);
    assert.match(second.lines.join(""), /using the self-signed certificate/);
  });

  it("reads the operator's files, and refuses missing or mismatched ones naming the keys", async () => {
    const one = createSelfSigned({ names: ["vm.example"] });
    const other = createSelfSigned({ names: ["vm.example"] });
    await writeFile(join(dir, "c.pem"), one.cert);
    await writeFile(join(dir, "k.pem"), one.key);
    await writeFile(join(dir, "k2.pem"), other.key);
    const cfg = (cert: string, key: string) =>
      parseConfig({ sip: { tls: { cert: join(dir, cert), key: join(dir, key) } } });
    const { logger } = capture();
    const ok = await tlsListener(cfg("c.pem", "k.pem"), { dataDir: dir, logger });
    assert.equal(ok.cert, one.cert);
    await assert.rejects(
      tlsListener(cfg("missing.pem", "k.pem"), { dataDir: dir, logger }),
      (e: unknown) =>
        e instanceof ConfigError && /sip\.tls\.cert: cannot read .*ENOENT/.test(e.message),
    );
    await assert.rejects(
      tlsListener(cfg("c.pem", "k2.pem"), { dataDir: dir, logger }),
      (e: unknown) => e instanceof ConfigError && /sip\.tls\.cert\/key/.test(e.message),
    );
  });
});

// Running omnivox as a service (README "Running it as a service"): `omnivox doctor` passes a
// config it can start with, names what to fix when a port is taken and the relay is away (exit 1)
// and when the config is wrong (exit 2); contrib/omnivox.service passes `systemd-analyze verify`
// where systemd is installed.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Dovecot, dovecotPeer } from "./support/dovecot.ts";
import { findBinary } from "./support/peers.ts";
import { type SmtpSink, startSmtpSink } from "./support/smtp-sink.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const BIN = join(ROOT, "bin/omnivox.js");
let dir: string;
let sink: SmtpSink;
const dovecot = dovecotPeer();

function run(
  file: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A port free now: bound to 0, read, let go. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  return typeof address === "object" && address ? address.port : 0;
}

async function config(name: string, lines: string[]): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, [`dataDir: ${join(dir, name)}`, ...lines, ""].join("\n"));
  return file;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnivox-service-"));
  sink = await startSmtpSink();
});
after(async () => {
  await sink?.close();
  await rm(dir, { recursive: true, force: true });
});

test("omnivox doctor passes a config it can start with", { timeout: 90_000 }, async () => {
  const file = await config("good", [
    `http: { listen: 127.0.0.1:${await freePort()}, adminToken: doctor-admin-token-0123456789 }`,
    `smtp: { listen: 127.0.0.1:${await freePort()}, domains: [example.com] }`,
    `sip: { listen: 127.0.0.1:${await freePort()} }`,
    `smtpOut: { host: 127.0.0.1, port: ${sink.port} }`,
  ]);
  const r = await run(process.execPath, [BIN, "doctor", "--config", file]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (const check of [
    "config",
    "data directory",
    "database",
    "http.listen",
    "smtp.listen",
    "sip.listen",
    "speech.tts",
    "speech.stt",
    "smtpOut",
  ])
    assert.match(r.stdout, new RegExp(`^ok +${check.replace(".", "\\.")}:`, "m"), r.stdout);
  assert.match(r.stdout, /all checks passed/);
});

test("omnivox doctor names a taken port and an unreachable relay, and exits 1", {
  timeout: 90_000,
}, async () => {
  const taken: Server = createServer();
  await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
  const address = taken.address();
  const takenPort = typeof address === "object" && address ? address.port : 0;
  try {
    const file = await config("bad", [
      `http: { listen: 127.0.0.1:${await freePort()}, adminToken: doctor-admin-token-0123456789 }`,
      `smtp: { listen: 127.0.0.1:${takenPort}, domains: [example.com] }`,
      `sip: { listen: 127.0.0.1:${await freePort()} }`,
      `smtpOut: { host: 127.0.0.1, port: ${await freePort()} }`,
    ]);
    const r = await run(process.execPath, [BIN, "doctor", "--config", file]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^FAIL +smtp\\.listen: smtp\\.listen: port ${takenPort} is taken .*change smtp\\.listen`,
        "m",
      ),
    );
    assert.match(
      r.stdout,
      /^FAIL +smtpOut: cannot reach the relay at 127\.0\.0\.1:\d+ .*set smtpOut\.host\/port/m,
    );
    assert.match(r.stdout, /^ok +database:/m);
    assert.match(r.stdout, /2 check\(s\) failed/);
  } finally {
    await new Promise<void>((r) => taken.close(() => r()));
  }
});

test("omnivox doctor reads the greeting of the single inbox's Dovecot and names a webhook it cannot reach", {
  skip: dovecot.skip,
  timeout: 90_000,
}, async () => {
  const imap = await Dovecot.start(dovecot.path!, {
    users: [{ user: "alice@example.com", password: "x" }],
    master: { user: "omnivox", password: "master-secret" },
  });
  const hook = createHttpServer((_req, res) => res.end());
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const hookPort = (hook.address() as AddressInfo).port;
  try {
    const file = await config("reach", [
      `http: { listen: 127.0.0.1:${await freePort()}, adminToken: doctor-admin-token-0123456789 }`,
      `smtp: { listen: 127.0.0.1:${await freePort()}, domains: [example.com] }`,
      `sip: { listen: 127.0.0.1:${await freePort()} }`,
      `smtpOut: { host: 127.0.0.1, port: ${sink.port} }`,
      "webhooks:",
      `  - { id: ops, url: "http://127.0.0.1:${hookPort}/omnivox", secret: a-long-random-shared-secret }`,
      `  - { id: gone, url: "http://127.0.0.1:${await freePort()}/x", secret: a-long-random-shared-secret }`,
      `imap: { domains: { example.com: { host: 127.0.0.1, port: ${imap.imapPort}, auth: { masterUser: omnivox, masterPassword: master-secret } } } }`,
    ]);
    const r = await run(process.execPath, [BIN, "doctor", "--config", file]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^ok +webhooks\.ops: http:\/\/127\.0\.0\.1:\d+ accepts connections/m);
    assert.match(
      r.stdout,
      /^FAIL +webhooks\.gone: cannot reach http:\/\/127\.0\.0\.1:\d+ .*check webhooks\[\]\.url/m,
    );
    assert.match(r.stdout, /^ok +imap\.domains\.example\.com: 127\.0\.0\.1:\d+ answers: \* OK/m);
    assert.doesNotMatch(r.stdout, /master-secret|a-long-random/, "no secret in the report");
    assert.match(r.stdout, /1 check\(s\) failed/);
  } finally {
    await new Promise<void>((r) => hook.close(() => r()));
    await imap.stop();
  }
});

test("omnivox doctor says what is wrong with a config it cannot read, and exits 2", async () => {
  const file = await config("wrong", ["smtp: { listen: 127.0.0.1:2525, domain: [example.com] }"]);
  const r = await run(process.execPath, [BIN, "doctor", "--config", file]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL +config: [\s\S]*smtp\.domain: unknown key/m);
});

const systemdAnalyze = findBinary("systemd-analyze");
test("contrib/omnivox.service passes systemd-analyze verify", {
  skip: systemdAnalyze ? false : "systemd-analyze not installed (Debian systemd)",
}, async () => {
  // The unit as shipped, with its paths pointing at this checkout and this node.
  const unit = (await readFile(join(ROOT, "contrib/omnivox.service"), "utf8"))
    .replaceAll("/usr/bin/node", process.execPath)
    .replaceAll("/opt/omnivox", ROOT.replace(/\/$/, ""));
  assert.doesNotMatch(unit, /^MemoryDenyWriteExecute=/m, "V8 JIT needs writable executable memory");
  assert.match(unit, /AmbientCapabilities=CAP_NET_BIND_SERVICE/);
  const file = join(dir, "omnivox.service");
  await writeFile(file, unit);
  const r = await run(systemdAnalyze!, ["verify", file]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /Unknown key|Invalid|Failed|not executable/i, r.stderr);
});

// The `omnivox` command as an operator runs it: user administration, configuration errors with
// the key named and exit code 2, and a graceful stop on SIGTERM.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { openStore, SQLITE_FILE } from "../src/store/open.ts";
import { sipDigestSecrets } from "../src/store/secrets.ts";
import { spawnOmnivox } from "./support/child.ts";
import { referencesTo } from "./support/user-references.ts";

const BIN = new URL("../bin/omnivox.js", import.meta.url).pathname;
let dir: string;
let config: string;

function omnivox(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnivox-cli-"));
  config = join(dir, "omnivox.yaml");
  await writeFile(
    config,
    `dataDir: ${dir}\nhttp: { listen: 127.0.0.1:0 }\nsmtp: { listen: 127.0.0.1:0, domains: [example.com] }\nsip: { listen: 127.0.0.1:0, domain: voice.example.test }\n`,
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("user add, list and show work on the store before anything runs", async () => {
  const add = await omnivox(
    "user",
    "add",
    "alice",
    "--name",
    "Alice",
    "--email",
    "Alice@Example.com",
    "--password",
    "pw",
    "--pin",
    "123456",
    "--config",
    config,
  );
  assert.equal(add.code, 0, add.stderr);
  const profile = JSON.parse(add.stdout) as { id: string; emails: string[]; sipSecret: string };
  assert.equal(profile.id, "alice");
  assert.deepEqual(profile.emails, ["alice@example.com"]);
  assert.doesNotMatch(add.stdout, /"pw"|123456|scrypt/, "secrets are never printed");
  // Phones register with the generated SIP secret, not the web password.
  assert.match(profile.sipSecret, /^[a-z2-7]{26}$/);
  const realm = "voice.example.test";
  const digestOf = async () => {
    const store = await openStore({ database: "sqlite", dataDir: dir });
    try {
      return (await store.users.get("alice"))?.secrets.sipDigest;
    } finally {
      await store.close();
    }
  };
  assert.deepEqual(await digestOf(), sipDigestSecrets("alice", realm, profile.sipSecret));
  assert.notDeepEqual(await digestOf(), sipDigestSecrets("alice", realm, "pw"));

  const rotate = await omnivox("user", "sip-secret", "alice", "--config", config);
  assert.equal(rotate.code, 0, rotate.stderr);
  const rotated = rotate.stdout.trim();
  assert.match(rotated, /^[a-z2-7]{26}$/);
  assert.notEqual(rotated, profile.sipSecret);
  assert.deepEqual(await digestOf(), sipDigestSecrets("alice", realm, rotated));
  assert.equal((await omnivox("user", "sip-secret", "nobody", "--config", config)).code, 1);

  const list = await omnivox("user", "list", "--config", config);
  assert.match(list.stdout, /^alice\tAlice\talice@example\.com$/m);
  const show = await omnivox("user", "show", "alice", "--config", config);
  assert.equal((JSON.parse(show.stdout) as { displayName: string }).displayName, "Alice");

  const dup = await omnivox("user", "add", "alice", "--config", config);
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /alice/);
  const missing = await omnivox("user", "show", "nobody", "--config", config);
  assert.equal(missing.code, 1);
  const badPin = await omnivox("user", "add", "carol", "--pin", "12", "--config", config);
  assert.equal(badPin.code, 2);
  assert.match(badPin.stderr, /pin/);
});

test("user delete erases the user, their voicemail and its audio, as the API does", async () => {
  assert.equal(
    (await omnivox("user", "add", "dora", "--pin", "135790", "--config", config)).code,
    0,
  );
  const store = await openStore({ database: "sqlite", dataDir: dir });
  try {
    await store.audio.put("vm-dora-1", Uint8Array.of(1, 2, 3), "audio/wav");
    await store.voicemail.insert({
      id: "dora-msg-1",
      userId: "dora",
      receivedAt: new Date(),
      durationMs: 1000,
      audioId: "vm-dora-1",
      urgent: false,
      state: "new",
    });
    await store.sessions.create({
      id: "dora-session-1",
      userId: "dora",
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 3600_000),
    });
  } finally {
    await store.close();
  }
  const needles = ["dora", "vm-dora-1", "dora-msg-1", "dora-session-1"];
  const at = { sqliteFile: join(dir, SQLITE_FILE) };
  assert.ok((await referencesTo(at, needles)).hitTables.has("voicemail_messages"));

  const res = await omnivox("user", "delete", "dora", "--config", config);
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout) as { erased: string; rows: Record<string, number> };
  assert.equal(out.erased, "dora");
  assert.equal(out.rows.users, 1);
  assert.equal(out.rows.voicemail_messages, 1);
  assert.equal(out.rows.sessions, 1);
  assert.deepEqual((await referencesTo(at, needles)).hits, [], "nothing refers to dora");
  assert.deepEqual(
    (await readdir(join(dir, "audio"))).filter((f) => f.startsWith("vm-dora-1.")),
    [],
    "her audio file is removed",
  );
  assert.match((await omnivox("user", "list", "--config", config)).stdout, /^alice\t/m);

  const again = await omnivox("user", "delete", "dora", "--config", config);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no user "dora"/);
  assert.equal((await omnivox("user", "delete", "--config", config)).code, 1);
});

test("a wrong configuration key stops start-up with exit code 2 naming the key", async () => {
  const bad = join(dir, "bad.yaml");
  await writeFile(bad, "smtp:\n  domians: [example.com]\n");
  const res = await omnivox("start", "--config", bad);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /smtp\.domians: unknown key/);
  const usage = await omnivox("frobnicate");
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /unknown command/);
});

test("the example config's placeholder admin token stops start-up naming http.adminToken", async () => {
  const example = join(dir, "example-token.yaml");
  await writeFile(
    example,
    `dataDir: ${dir}\nhttp: { listen: 127.0.0.1:0, adminToken: change-me-to-a-long-random-string }\n`,
  );
  const res = await omnivox("start", "--config", example);
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /http\.adminToken: is the example config's placeholder/);
  const short = await omnivox("user", "list", "--config", example);
  assert.equal(short.code, 2, "every command reads the same checked configuration");
});

test("an xmpp.server written as a URL stops start-up with exit code 2 naming xmpp.server", async () => {
  const url = join(dir, "xmpp-url.yaml");
  await writeFile(
    url,
    `dataDir: ${dir}\nhttp: { listen: 127.0.0.1:0 }\nsmtp: { listen: 127.0.0.1:0 }\nsip: { listen: 127.0.0.1:0 }\n` +
      `xmpp: { server: "xmpp://127.0.0.1:5347", domain: gw.example.test, secret: s3cret }\n`,
  );
  const res = await omnivox("start", "--config", url);
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /xmpp\.server: expected "host:port" without a scheme/);
  assert.doesNotMatch(res.stderr, /xmpp\.(domain|secret)/, "only the wrong key is named");
});

test("a user's email outside smtp.domains is refused by the CLI too", async () => {
  const res = await omnivox(
    "user",
    "add",
    "eve",
    "--email",
    "eve@bigbank.example",
    "--config",
    config,
  );
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /emails\.0: "eve@bigbank\.example" is not in a domain omnivox serves/);
});

test("SIGTERM stops the gateway gracefully with exit code 0", async () => {
  const child = await spawnOmnivox(config, dir);
  const health = await fetch(`http://127.0.0.1:${child.ports.http!.port}/healthz`);
  assert.equal(health.status, 200);
  child.process.kill("SIGTERM");
  assert.equal(await child.exited, 0, child.output());
  await assert.rejects(
    fetch(`http://127.0.0.1:${child.ports.http!.port}/healthz`),
    "no longer listening",
  );
});

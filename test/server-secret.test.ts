// The keys of session tokens and audio links come from dataDir/server-secret, not the admin
// token: through the composition root, a restart with another admin token keeps sessions and
// signed links working, and a restart with the secret replaced ends them.

import assert from "node:assert/strict";
import { readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { AudioUrlSigner } from "../src/http/audio-urls.ts";
import { startTestApp } from "./support/harness.ts";

test("tokens and links survive an admin token change and end with the server secret", async () => {
  let t = await startTestApp({});
  const dataDir = t.dataDir;
  try {
    await t.addUser({ id: "alice", password: "alice-password" });
    const token = await t.login("alice", "alice-password");
    const file = join(dataDir, "server-secret");
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const secret = (await readFile(file, "utf8")).trim();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(secret, t.app.adminToken);
    await t.app.store.audio.put("rec-1", new Uint8Array([1, 2, 3]), "audio/wav");
    const path = new AudioUrlSigner(secret).signAudioUrl("rec-1", 60_000);
    const http = () => `http://127.0.0.1:${t.app.ports.http!.port}`;
    assert.equal((await fetch(http() + path)).status, 200);

    await t.stop({ keepData: true });
    t = await startTestApp(
      { http: { listen: "127.0.0.1:0", adminToken: "another-admin-token-9876543210" } },
      dataDir,
    );
    assert.equal((await t.api("GET", "/users/alice", undefined, token)).status, 200);
    assert.equal((await fetch(http() + path)).status, 200);
    assert.equal((await t.api("GET", "/users")).status, 200, "the new admin token works");
    assert.equal(
      (await t.api("GET", "/users", undefined, "test-admin-token-0123456789")).status,
      401,
      "the old admin token does not",
    );

    await t.stop({ keepData: true });
    await unlink(join(dataDir, "server-secret"));
    t = await startTestApp({}, dataDir);
    assert.notEqual((await readFile(join(dataDir, "server-secret"), "utf8")).trim(), secret);
    assert.equal((await t.api("GET", "/users/alice", undefined, token)).status, 401);
    assert.equal((await fetch(http() + path)).status, 403);
  } finally {
    await t.stop();
  }
});

import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { ConfigError } from "../core/errors.ts";
import { ensureServerSecret, SERVER_SECRET_FILE } from "./server-secret.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnivox-secret-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test("generated once in dataDir with mode 0600, then read back unchanged", async () => {
  const first = await ensureServerSecret(join(dir, "nested"));
  assert.equal(first.generated, true);
  assert.match(first.secret, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await stat(first.file)).mode & 0o777, 0o600);
  const second = await ensureServerSecret(join(dir, "nested"));
  assert.deepEqual(second, { ...first, generated: false });
  const other = await ensureServerSecret(join(dir, "other"));
  assert.notEqual(other.secret, first.secret);
});

test("concurrent first starts agree on one secret", async () => {
  const all = await Promise.all([1, 2, 3, 4].map(() => ensureServerSecret(dir)));
  assert.equal(new Set(all.map((s) => s.secret)).size, 1);
  assert.equal(all.filter((s) => s.generated).length, 1);
});

test("a readable-by-others file is narrowed to 0600; a damaged one stops start-up", async () => {
  const { file, secret } = await ensureServerSecret(dir);
  await chmod(file, 0o644);
  assert.equal((await ensureServerSecret(dir)).secret, secret);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  await writeFile(join(dir, SERVER_SECRET_FILE), "short\n");
  await assert.rejects(ensureServerSecret(dir), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /server-secret/);
    return true;
  });
  assert.equal((await readFile(file, "utf8")).trim(), "short", "never silently replaced");
});

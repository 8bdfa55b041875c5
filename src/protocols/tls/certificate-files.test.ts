// The self-signed certificate kept in the data directory: made once (key 0600), reused on the
// next start, made anew when it no longer names the configured hosts.

import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { certificateCovers, ensureSelfSigned } from "./certificate-files.ts";
import { createSelfSigned } from "./self-signed.ts";

describe("ensureSelfSigned", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "omnivox-cert-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("generates on the first call, reuses on the next, renews for other names", async () => {
    const cert = join(dir, "sub", "sip-tls.crt");
    const key = join(dir, "sub", "sip-tls.key");
    const first = await ensureSelfSigned(cert, key, ["vm.example", "127.0.0.1"]);
    assert.equal(first.generated, true);
    assert.deepEqual(first.selfSignedAt, { cert, key });
    assert.equal((await stat(key)).mode & 0o777, 0o600);
    assert.equal(await readFile(cert, "utf8"), first.cert);
    assert.equal(new X509Certificate(first.cert).checkIP("127.0.0.1"), "127.0.0.1");

    const again = await ensureSelfSigned(cert, key, ["127.0.0.1", "vm.example"]);
    assert.equal(again.generated, false);
    assert.equal(again.cert, first.cert);
    assert.equal(again.key, first.key);

    const other = await ensureSelfSigned(cert, key, ["voicemail.example"]);
    assert.equal(other.generated, true);
    assert.notEqual(other.cert, first.cert);
    assert.equal(
      new X509Certificate(other.cert).checkHost("voicemail.example"),
      "voicemail.example",
    );
  });

  it("replaces an expired or unreadable certificate", async () => {
    const cert = join(dir, "old.crt");
    const key = join(dir, "old.key");
    const old = createSelfSigned({
      names: ["a.example"],
      now: new Date("2001-01-01T00:00:00Z"),
      days: 10,
    });
    await writeFile(cert, old.cert);
    await writeFile(key, old.key);
    assert.equal(certificateCovers(old.cert, ["a.example"]), false);
    const renewed = await ensureSelfSigned(cert, key, ["a.example"]);
    assert.equal(renewed.generated, true);
    await writeFile(cert, "not a certificate");
    assert.equal((await ensureSelfSigned(cert, key, ["a.example"])).generated, true);
  });
});

// hashSecret / verifySecret: scrypt strings that verify, never leak the secret, and refuse
// tampered or foreign hash strings.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hashSecret, verifySecret } from "./secrets.ts";

describe("secrets", () => {
  test("a hash verifies its secret and nothing else", async () => {
    const hash = await hashSecret("correct horse");
    assert.match(hash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.ok(!hash.includes("correct horse"));
    assert.equal(await verifySecret("correct horse", hash), true);
    assert.equal(await verifySecret("correct horsE", hash), false);
    assert.equal(await verifySecret("", hash), false);
  });

  test("salts differ, so equal secrets give different hashes", async () => {
    const [a, b] = await Promise.all([hashSecret("1234"), hashSecret("1234")]);
    assert.notEqual(a, b);
    assert.equal(await verifySecret("1234", a), true);
    assert.equal(await verifySecret("1234", b), true);
  });

  test("malformed or tampered hashes are false, not errors", async () => {
    const hash = await hashSecret("pin");
    const parts = hash.split("$");
    const bad = [
      "",
      "plain",
      "bcrypt$2$x$y$z$w",
      hash.replace("scrypt$16384", "scrypt$16383"),
      hash.replace("scrypt$16384", "scrypt$1073741824"),
      [...parts.slice(0, 5), ""].join("$"),
      [...parts.slice(0, 4), "", parts[5]].join("$"),
      [...parts.slice(0, 5), Buffer.alloc(32).toString("base64")].join("$"),
    ];
    for (const h of bad) assert.equal(await verifySecret("pin", h), false, h);
  });
});

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { ERROR_CLASSES, OmnivoxError } from "./errors.ts";

function instance(
  name: string,
  Cls: (typeof ERROR_CLASSES)[keyof typeof ERROR_CLASSES],
): OmnivoxError {
  // Each constructor takes (string, string|…); two strings satisfy all of them.
  const Ctor = Cls as unknown as new (a: string, b: string) => OmnivoxError;
  const e = new Ctor(name, "reason");
  assert.ok(e instanceof OmnivoxError);
  return e;
}

test("every error code is documented in docs/errors.md with its HTTP status, and nothing else is", async () => {
  const doc = await readFile(new URL("../../docs/errors.md", import.meta.url), "utf8");
  const rows = new Map(
    [...doc.matchAll(/^\|\s*`(OMNIVOX_ERR_[A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]),
  );
  const codes = new Set<string>();
  for (const [name, Cls] of Object.entries(ERROR_CLASSES)) {
    const e = instance(name, Cls);
    codes.add(e.code);
    assert.equal(e.name, e.code);
    assert.equal(
      rows.get(e.code),
      e.statusCode,
      `${e.code} documented with status ${e.statusCode}`,
    );
  }
  assert.deepEqual([...rows.keys()].sort(), [...codes].sort());
});

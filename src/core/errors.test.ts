import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { test } from "node:test";
import {
  DeliveryError,
  ERROR_CLASSES,
  NoRouteError,
  OmnivoxError,
  RtpPortsExhaustedError,
  SpeechBusyError,
  SpeechTimeoutError,
  WavError,
} from "./errors.ts";

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

/** Every `OMNIVOX_ERR_*` spelled anywhere in src/ (tests included), with the first file using it. */
async function codesUsedInSrc(): Promise<Map<string, string>> {
  const src = new URL("../", import.meta.url);
  const used = new Map<string, string>();
  for (const entry of await readdir(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(ts|tsx|js|mjs)$/.test(entry.name)) continue;
    const path = `${entry.parentPath}/${entry.name}`;
    for (const m of (await readFile(path, "utf8")).matchAll(/OMNIVOX_ERR_[A-Z0-9_]*[A-Z0-9]/g)) {
      if (!used.has(m[0])) used.set(m[0], path.slice(src.pathname.length));
    }
  }
  return used;
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

test("every OMNIVOX_ERR_* code used in src/ is a class of the table", async () => {
  const table = new Set(
    Object.entries(ERROR_CLASSES).map(([name, Cls]) => instance(name, Cls).code),
  );
  const used = await codesUsedInSrc();
  assert.ok(used.has("OMNIVOX_ERR_INTERNAL"), "the scan reads src/");
  for (const [code, file] of used)
    assert.ok(table.has(code), `${code} (in ${file}) is not in the table`);
});

test("each class carries its code as a static, for names that crossed a thread", () => {
  for (const [name, Cls] of Object.entries(ERROR_CLASSES))
    assert.equal(Cls.code, instance(name, Cls).code, name);
});

test("transient says what may pass: a busy engine or full port range, a temporary delivery error", () => {
  assert.equal(new SpeechBusyError(4).transient, true);
  assert.equal(new SpeechTimeoutError(30_000).transient, true);
  assert.equal(new RtpPortsExhaustedError({ min: 20000, max: 20002 }, 2).transient, true);
  assert.equal(new DeliveryError("relay busy").transient, true);
  assert.equal(new DeliveryError("550 no such mailbox", true).transient, false);
  assert.equal(new WavError("not a RIFF file").transient, false);
  assert.equal(new NoRouteError("no route").transient, false);
});

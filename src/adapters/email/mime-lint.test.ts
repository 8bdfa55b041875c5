import assert from "node:assert/strict";
import { test } from "node:test";
import { lintMime } from "./mime-lint.ts";

const mail = (...lines: string[]) => Buffer.from(lines.join("\r\n"));

test("a well-formed multipart message has no warnings", () => {
  const ok = mail(
    "Subject: ok",
    'Content-Type: multipart/alternative; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "caf=C3=A9 soft break=",
    "next",
    "--b1",
    "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    "",
    "aGVsbG8gd29y",
    "bGQ=",
    "--b1--",
    "",
  );
  assert.deepEqual(lintMime(ok), []);
  assert.deepEqual(lintMime(mail("Subject: plain", "", "just text")), []);
});

test("an unclosed boundary, bad base64, bad QP and an encoded multipart are reported", () => {
  const broken = mail(
    'Content-Type: multipart/mixed; boundary="x"',
    "Content-Transfer-Encoding: base64",
    "",
    "--x",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "bad =ZZ escape",
    "--x",
    "Content-Transfer-Encoding: base64",
    "",
    "!!!not base64!!!",
  );
  const w = lintMime(broken);
  assert.ok(w.every((x) => x.startsWith("malformed MIME: ")));
  assert.ok(w.some((x) => /may not be base64-encoded/.test(x)));
  assert.ok(w.some((x) => /never closed/.test(x)));
  assert.ok(w.some((x) => /part 1: invalid quoted-printable/.test(x)));
  assert.ok(w.some((x) => /part 2: invalid base64/.test(x)));
});

test("a multipart without boundary, or whose boundary never appears, is reported", () => {
  assert.match(
    lintMime(mail("Content-Type: multipart/mixed", "", "body"))[0] ?? "",
    /without a boundary/,
  );
  assert.match(
    lintMime(mail("Content-Type: multipart/mixed; boundary=zz", "", "body"))[0] ?? "",
    /never appears/,
  );
});

test("deep nesting and garbage are bounded", () => {
  let m = "x";
  for (let i = 0; i < 50; i++)
    m = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${m}\r\n--b${i}--\r\n`;
  assert.deepEqual(lintMime(Buffer.from(m)), []);
  const garbage = Buffer.alloc(100_000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256;
  assert.ok(Array.isArray(lintMime(garbage)));
});

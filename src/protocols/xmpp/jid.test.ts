import assert from "node:assert/strict";
import { test } from "node:test";
import { bareJid, escapeLocal, formatJid, JidError, parseJid, unescapeLocal } from "./jid.ts";

// XEP-0106 §5 (Examples), table 3: unescaped localpart → escaped localpart
const EXAMPLES: [string, string][] = [
  ["space cadet", "space\\20cadet"],
  ['call me "ishmael"', "call\\20me\\20\\22ishmael\\22"],
  ["at&t guy", "at\\26t\\20guy"],
  ["d'artagnan", "d\\27artagnan"],
  ["/.fanboy", "\\2f.fanboy"],
  ["::foo::", "\\3a\\3afoo\\3a\\3a"],
  ["<foo>", "\\3cfoo\\3e"],
  ["user@host", "user\\40host"],
  ["c:\\net", "c\\3a\\net"],
  ["c:\\\\net", "c\\3a\\\\net"],
  ["c:\\cool stuff", "c\\3a\\cool\\20stuff"],
  ["c:\\5commas", "c\\3a\\5c5commas"],
];

test("escapeLocal and unescapeLocal follow XEP-0106's examples both ways", () => {
  for (const [plain, escaped] of EXAMPLES) {
    assert.equal(escapeLocal(plain), escaped, plain);
    assert.equal(unescapeLocal(escaped), plain, escaped);
  }
});

test("an e-mail address becomes a localpart and comes back", () => {
  const local = escapeLocal("Jane.Doe@example.org");
  assert.equal(local, "Jane.Doe\\40example.org");
  assert.equal(
    formatJid({ local, domain: "omnivox.example.test" }),
    "Jane.Doe\\40example.org@omnivox.example.test",
  );
  assert.equal(
    unescapeLocal(parseJid(`${local}@omnivox.example.test`).local ?? ""),
    "Jane.Doe@example.org",
  );
});

test("unescapeLocal leaves a backslash that starts no escape sequence alone", () => {
  assert.equal(unescapeLocal("a\\b\\2"), "a\\b\\2");
  assert.equal(unescapeLocal("\\5c20"), "\\20");
});

test("escapeLocal refuses empty strings and leading or trailing spaces", () => {
  assert.throws(() => escapeLocal(""), JidError);
  assert.throws(() => escapeLocal(" x"), JidError);
  assert.throws(() => escapeLocal("x "), JidError);
});

test("parseJid splits, lower-cases the domain and refuses empty parts", () => {
  assert.deepEqual(parseJid("Alice@Example.TEST/phone"), {
    local: "Alice",
    domain: "example.test",
    resource: "phone",
  });
  assert.deepEqual(parseJid("example.test"), { domain: "example.test" });
  assert.equal(parseJid("a@b/c/d").resource, "c/d");
  assert.equal(bareJid("alice@example.test/x"), "alice@example.test");
  for (const bad of ["", "@x", "a@", "a@b/", "a@b@c"])
    assert.throws(() => parseJid(bad), JidError, bad);
});

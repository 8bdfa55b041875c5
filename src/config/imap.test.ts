// The single inbox's config section: defaults, domains compared in lower case, and a wrong or
// missing key stopping start-up with its name.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../core/errors.ts";
import { parseConfig } from "./load.ts";

const auth = { masterUser: "omnivox", masterPassword: "s3cret" };

test("imap: nothing watched by default; a domain gets port 143, INBOX and the * separator", () => {
  assert.deepEqual(parseConfig({}).imap.domains, {});
  const c = parseConfig({
    imap: { domains: { "Example.ORG": { host: "imap.example.org", auth } } },
  });
  assert.deepEqual(c.imap.domains["example.org"], {
    host: "imap.example.org",
    port: 143,
    secure: false,
    mailbox: "INBOX",
    auth: { ...auth, separator: "*", login: "address" },
  });
  assert.equal(c.imap.retryMinMs, 1000);
  assert.equal(c.imap.authRetryMs, 600_000);
});

test("imap: a missing password, an unknown key, a bad port or backoff out of order name the key", () => {
  const cases: Array<[unknown, RegExp]> = [
    [
      { domains: { "example.org": { host: "h", auth: { masterUser: "m" } } } },
      /imap\.domains\.example\.org\.auth\.masterPassword/,
    ],
    [
      { domains: { "example.org": { host: "h", auth, password: "x" } } },
      /imap\.domains\.example\.org/,
    ],
    [
      { domains: { "example.org": { host: "h", port: 0, auth } } },
      /imap\.domains\.example\.org\.port/,
    ],
    [{ domains: { "example.org": { host: "h", auth: { ...auth, login: "uid" } } } }, /auth\.login/],
    [{ retryMinMs: 5000, retryMaxMs: 100 }, /imap\.retryMinMs/],
  ];
  for (const [imap, key] of cases) {
    assert.throws(
      () => parseConfig({ imap } as Parameters<typeof parseConfig>[0]),
      (err: unknown) => err instanceof ConfigError && key.test(err.message),
      String(key),
    );
  }
});

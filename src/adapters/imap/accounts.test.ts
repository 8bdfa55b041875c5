// Which mailbox a user's voicemail mail is watched in: by the domain of their addresses, logged in
// through the domain's master user; and the header that names a mail's communication.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accountOf, type ImapDomainOptions } from "./accounts.ts";
import { communicationIdOf } from "./mails.ts";

const domain = (login: ImapDomainOptions["auth"]["login"] = "address"): ImapDomainOptions => ({
  host: "imap.example.org",
  port: 143,
  secure: false,
  mailbox: "INBOX",
  auth: { masterUser: "um", masterPassword: "pw", separator: "*", login },
});

describe("accountOf", () => {
  it("takes the first address in a configured domain, case-insensitively", () => {
    const account = accountOf(
      { emails: ["bob@elsewhere.net", "Bob@Example.ORG"] },
      { "example.org": domain() },
    );
    assert.equal(account?.login, "Bob@Example.ORG*um");
    assert.equal(account?.host, "imap.example.org");
    assert.equal(
      accountOf({ emails: ["bob@example.org"] }, { "example.org": domain("localPart") })?.login,
      "bob*um",
    );
  });

  it("watches nobody without an address in such a domain, or with a broken one", () => {
    assert.equal(accountOf({ emails: [] }, { "example.org": domain() }), undefined);
    assert.equal(
      accountOf({ emails: ["bob@example.net"] }, { "example.org": domain() }),
      undefined,
    );
    assert.equal(accountOf({ emails: ["@example.org"] }, { "example.org": domain() }), undefined);
  });
});

describe("communicationIdOf", () => {
  it("reads our header, and nothing that is not an id of ours", () => {
    const id = "0f6b1a2c-1f1e-4c55-9a77-0c6d1f0e9b10";
    assert.equal(communicationIdOf(Buffer.from(`X-Omnivox-Communication: ${id}\r\n\r\n`)), id);
    assert.equal(communicationIdOf(Buffer.from(`x-omnivox-communication:${id}\r\n`)), id);
    assert.equal(communicationIdOf(undefined), undefined);
    assert.equal(communicationIdOf(Buffer.from("Subject: hi\r\n\r\n")), undefined);
    for (const bad of ["a b", "<script>", "x".repeat(500), ""])
      assert.equal(
        communicationIdOf(Buffer.from(`X-Omnivox-Communication: ${bad}\r\n`)),
        undefined,
        bad,
      );
  });
});

// Tests for the RFC 3842 message-summary parser and writer: the RFC's kinds of body, every class,
// the count range, damaged and oversized bodies, and round trips.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatMessageSummary } from "./format.ts";
import { parseMessageSummary } from "./parse.ts";
import type { MessageSummary } from "./types.ts";

function crlf(...lines: string[]): string {
  return `${lines.join("\r\n")}\r\n`;
}

function ok(text: string): { value: MessageSummary; warnings: string[] } {
  const r = parseMessageSummary(text);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r;
}

function fails(text: string, includes: string): void {
  const r = parseMessageSummary(text);
  assert.equal(r.ok, false, `accepted ${JSON.stringify(text.slice(0, 80))}`);
  if (!r.ok) assert.ok(r.error.includes(includes), `"${r.error}" lacks "${includes}"`);
}

describe("parseMessageSummary", () => {
  it("reads a summary with account and urgent counts (RFC 3842 §5.2 style)", () => {
    const r = ok(
      crlf(
        "Messages-Waiting: yes",
        "Message-Account: sip:carol@voicemail.example.org",
        "Voice-Message: 3/7 (1/0)",
      ),
    );
    assert.deepEqual(r.value, {
      waiting: true,
      account: "sip:carol@voicemail.example.org",
      classes: { voice: { new: 3, old: 7, urgentNew: 1, urgentOld: 0 } },
    });
    assert.deepEqual(r.warnings, []);
  });

  it("keeps the message-context headers that follow a blank line", () => {
    const r = ok(
      crlf(
        "Messages-Waiting: yes",
        "Voice-Message: 1/0",
        "",
        "To: <sip:carol@example.org>",
        "From: <sip:dave@example.net>",
        "Subject: about friday",
        "Date: Tue, 11 Mar 2025 09:12:44 +0100",
        "Priority: normal",
        "Message-ID: 5f1e9c@vm.example.org",
        "",
        "To: <sip:carol@example.org>",
      ),
    );
    assert.deepEqual(r.value.classes, { voice: { new: 1, old: 0 } });
    assert.equal(r.value.extraHeaders?.length, 7);
    assert.deepEqual(r.value.extraHeaders?.[2], ["Subject", "about friday"]);
    assert.deepEqual(r.value.extraHeaders?.[3], ["Date", "Tue, 11 Mar 2025 09:12:44 +0100"]);
    assert.deepEqual(r.warnings, []);
  });

  it("reads every message class, case-insensitively and with loose white space", () => {
    const r = ok(
      [
        "messages-waiting:NO",
        "VOICE-MESSAGE :0/0",
        "Fax-Message:\t2 / 3",
        "pager-message: 4/5 ( 6 / 7 )",
        "Multimedia-Message:   8/9(10/11)   ",
        "TEXT-MESSAGE: 12/13",
        "None: 14/15",
      ].join("\n"),
    );
    assert.equal(r.value.waiting, false);
    assert.deepEqual(r.value.classes, {
      voice: { new: 0, old: 0 },
      fax: { new: 2, old: 3 },
      pager: { new: 4, old: 5, urgentNew: 6, urgentOld: 7 },
      multimedia: { new: 8, old: 9, urgentNew: 10, urgentOld: 11 },
      text: { new: 12, old: 13 },
      none: { new: 14, old: 15 },
    });
    assert.deepEqual(r.warnings, []);
  });

  it("accepts 2^32-1 and rejects only the line holding 2^32, with a warning", () => {
    const r = ok(
      crlf(
        "Messages-Waiting: yes",
        "Voice-Message: 4294967295/4294967295 (4294967295/0)",
        "Fax-Message: 1/4294967296",
        "Text-Message: 1/1 (99999999999999999999999/0)",
      ),
    );
    assert.deepEqual(r.value.classes, {
      voice: { new: 4294967295, old: 4294967295, urgentNew: 4294967295, urgentOld: 0 },
    });
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0]!, /line 3: Fax-Message count over 4294967295/);
    assert.match(r.warnings[1]!, /line 4: Text-Message/);
  });

  it("skips unknown, malformed and repeated lines with a warning naming each", () => {
    const r = ok(
      crlf(
        "Messages-Waiting: yes",
        "Messages-Waiting: no",
        "Message-Account: sip:a@example.org",
        "Message-Account: sip:b@example.org",
        "Voicemail: 3/0",
        "Voice-Message: 3",
        "Voice-Message: -1/2",
        "Voice-Message: 2/2 (1)",
        "Voice-Message: 1/2",
        "Voice-Message: 5/5",
        "garbage without colon",
      ),
    );
    assert.equal(r.value.waiting, true);
    assert.equal(r.value.account, "sip:a@example.org");
    assert.deepEqual(r.value.classes, { voice: { new: 1, old: 2 } });
    const lines = r.warnings.map((w) => Number(/^line (\d+)/.exec(w)?.[1]));
    assert.deepEqual(lines, [2, 4, 5, 6, 7, 8, 10, 11]);
    assert.ok(r.warnings[2]!.includes('"Voicemail"'));
  });

  it("drops lines holding NUL or a lone CR, which could not be written back", () => {
    const r = ok("Messages-Waiting: yes\r\n\r\nSubject: a\u0000b\r\nFrom: x\ry\r\nTo: z\r\n");
    assert.deepEqual(r.value.extraHeaders, [["To", "z"]]);
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0]!, /^line 3: NUL or CR/);
  });

  it("unfolds continuation lines", () => {
    const r = ok(crlf("Messages-Waiting: yes", "Message-Account:", "  sip:carol@example.org"));
    assert.equal(r.value.account, "sip:carol@example.org");
  });

  it("bounds the extra headers and the warnings", () => {
    const headers = Array.from({ length: 40 }, (_, i) => `X-H${i}: ${i}`);
    const r = ok(crlf("Messages-Waiting: no", "", ...headers));
    assert.equal(r.value.extraHeaders?.length, 32);
    assert.equal(r.warnings.length, 8);
    const noisy = ok(crlf("Messages-Waiting: no", ...Array.from({ length: 50 }, () => "junk")));
    assert.equal(noisy.warnings.length, 17);
    assert.equal(noisy.warnings[16], "34 more warnings not shown");
  });

  it("fails on truncated, garbage, wrong-status and oversized bodies", () => {
    fails("", "no Messages-Waiting");
    fails("\r\n", "no Messages-Waiting");
    fails("Voice-Message: 1/0\r\n", "no Messages-Waiting");
    fails("Messages-Wai", "no Messages-Waiting");
    fails("\u0000\u0001\u00ff binary junk", "no Messages-Waiting");
    fails("Messages-Waiting: maybe\r\n", "yes or no");
    fails("Messages-Waiting:\r\n", "yes or no");
    fails(`Messages-Waiting: yes\r\n${"X-Pad: y\r\n".repeat(2000)}`, "too large");
    fails(`Messages-Waiting: yes\r\nSubject: ${"é".repeat(8200)}\r\n`, "too large");
    assert.equal(parseMessageSummary(crlf("Messages-Waiting: yes"), { maxBytes: 10 }).ok, false);
  });
});

describe("formatMessageSummary", () => {
  it("writes the RFC layout with CRLF", () => {
    const text = formatMessageSummary({
      waiting: true,
      account: "sip:carol@voicemail.example.org",
      classes: { fax: { new: 0, old: 1 }, voice: { new: 3, old: 7, urgentNew: 1 } },
      extraHeaders: [["Subject", "about friday"]],
    });
    assert.equal(
      text,
      crlf(
        "Messages-Waiting: yes",
        "Message-Account: sip:carol@voicemail.example.org",
        "Voice-Message: 3/7 (1/0)",
        "Fax-Message: 0/1",
        "",
        "Subject: about friday",
      ),
    );
    assert.equal(formatMessageSummary({ waiting: false, classes: {} }), "Messages-Waiting: no\r\n");
  });

  it("round-trips through parse", () => {
    const samples: MessageSummary[] = [
      { waiting: false, classes: {} },
      {
        waiting: true,
        account: "sips:mailbox-17@vm.example.com",
        classes: {
          voice: { new: 4294967295, old: 0, urgentNew: 2, urgentOld: 3 },
          fax: { new: 1, old: 1 },
          pager: { new: 0, old: 0 },
          multimedia: { new: 9, old: 8, urgentNew: 0, urgentOld: 0 },
          text: { new: 5, old: 6 },
          none: { new: 7, old: 7 },
        },
        extraHeaders: [
          ["From", "<sip:dave@example.net>"],
          ["Message-ID", "abc@vm"],
        ],
      },
    ];
    for (const s of samples) {
      const r = ok(formatMessageSummary(s));
      assert.deepEqual(r.value, s);
      assert.deepEqual(r.warnings, []);
    }
  });

  it("refuses counts and text that cannot be sent", () => {
    const base: MessageSummary = { waiting: true, classes: {} };
    const bad: MessageSummary[] = [
      { ...base, classes: { voice: { new: 4294967296, old: 0 } } },
      { ...base, classes: { voice: { new: -1, old: 0 } } },
      { ...base, classes: { voice: { new: 1.5, old: 0 } } },
      { ...base, classes: { voice: { new: 1, old: 0, urgentOld: Number.NaN } } },
      { ...base, account: "sip:a@b\r\nMessages-Waiting: no" },
      { ...base, extraHeaders: [["Bad Name", "x"]] },
      { ...base, extraHeaders: [["Subject", "x\ny"]] },
    ];
    for (const s of bad) assert.throws(() => formatMessageSummary(s), RangeError);
  });
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMessage, type SipRequest } from "../../protocols/sip/message/index.ts";
import { callPartyOf } from "./call-party.ts";

function invite(extra: string[]): SipRequest {
  const text = [
    "INVITE sip:+15550001@omnivox.example.com SIP/2.0",
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds",
    'From: "Mallory" <sip:alice@omnivox.example.com>;tag=1928301774',
    "To: <sip:+15550001@omnivox.example.com>",
    "Call-ID: a84b4c76e66710@192.0.2.10",
    "CSeq: 1 INVITE",
    ...extra,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  const parsed = parseMessage(Buffer.from(text));
  assert.ok(parsed.ok);
  return parsed.message as SipRequest;
}

test("P-Asserted-Identity names the caller only from a trusted proxy", () => {
  const req = invite(['P-Asserted-Identity: "Dana" <tel:+15559876>, <sip:dana@pbx.example.com>']);
  assert.deepEqual(callPartyOf(req, { assertedIdentity: true }), {
    ani: "+15559876",
    callerName: "Dana",
    dnis: "+15550001",
  });
  // From an untrusted source the assertion is not stored: From is what the caller said.
  assert.deepEqual(callPartyOf(req, { assertedIdentity: false }), {
    ani: "alice",
    callerName: "Mallory",
    dnis: "+15550001",
  });
  assert.deepEqual(callPartyOf(req), callPartyOf(req, { assertedIdentity: false }));
});

// The SIP error model: every error the stack raises is a SipError carrying the status and reason
// phrase that stand for it (RFC 3261 §21; a timeout is 408, a transport failure 503, §8.1.3.1).

import assert from "node:assert/strict";
import { test } from "node:test";
import { DialogError, destinationOf } from "./dialog/dialog.ts";
import { SipError } from "./errors.ts";
import { SipTimeoutError } from "./transaction/base.ts";
import { SipTransportError } from "./transport/types.ts";
import { ForkFailedError } from "./usage/fork.ts";
import { CallFailedError } from "./usage/invite-client.ts";

test("each SIP error is a SipError with its status, reason and own name", () => {
  const cases: Array<[SipError, number, string, string]> = [
    [new SipTimeoutError("no final response (timer F)"), 408, "Request Timeout", "SipTimeoutError"],
    [
      new SipTransportError("connection refused", { host: "192.0.2.1", port: 5060 }),
      503,
      "Service Unavailable",
      "SipTransportError",
    ],
    [new CallFailedError(486, "Busy Here"), 486, "Busy Here", "CallFailedError"],
    [new ForkFailedError(603, "Decline", [new Error("a")]), 603, "Decline", "ForkFailedError"],
    [new DialogError("the response lacks a To tag"), 400, "Bad Request", "DialogError"],
  ];
  for (const [err, status, reason, name] of cases) {
    assert.ok(err instanceof SipError, name);
    assert.ok(err instanceof Error);
    assert.equal(err.status, status, name);
    assert.equal(err.reason, reason, name);
    assert.equal(err.name, name);
  }
  assert.ok(cases[3]![0] instanceof CallFailedError, "a failed fork is a failed call");
  assert.equal(cases[2]![0].message, "call failed: 486 Busy Here");
  assert.match(cases[3]![0].message, /603 Decline \(1 phones\)/);
});

test("a URI the dialog layer cannot route to is a 416", () => {
  assert.throws(
    () => destinationOf("tel:+15551234"),
    (err: unknown) =>
      err instanceof DialogError && err.status === 416 && /cannot route/.test(err.message),
  );
});

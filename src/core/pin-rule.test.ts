import assert from "node:assert/strict";
import { test } from "node:test";
import { ValidationError } from "./errors.ts";
import { assertPinRule } from "./pin-rule.ts";

test("a PIN shorter than the minimum is refused naming the rule", () => {
  assert.throws(
    () => assertPinRule("1234", 6),
    (e: unknown) =>
      e instanceof ValidationError &&
      e.field === "pin" &&
      /at least 6 digits \(voicemail\.minPinLength\); 4 given/.test(e.message),
  );
  assert.throws(() => assertPinRule("12345", 6), /at least 6 digits/);
  assertPinRule("123456", 6);
  assertPinRule("1234", 4);
});

test("non-digits and more than 12 digits are refused", () => {
  assert.throws(() => assertPinRule("12a456", 6), /expected 6–12 digits/);
  assert.throws(() => assertPinRule("1234567890123", 6), /expected 6–12 digits/);
  assert.throws(() => assertPinRule("", 6), ValidationError);
  assertPinRule("123456789012", 6);
});

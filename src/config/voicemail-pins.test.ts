// The defaults of the voicemail PIN rules (docs/security.md "Voicemail PINs"): they must hold
// against a brute force of parallel calls, so they are pinned here.

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "./load.ts";

test("PIN defaults: 6 digits, 10 wrong per mailbox in 1 h lock 5 min doubling to 24 h", () => {
  const { voicemail } = parseConfig({});
  assert.equal(voicemail.minPinLength, 6);
  assert.deepEqual(voicemail.pinLockout, {
    maxFailures: 10,
    windowMs: 3600_000,
    banMs: 300_000,
    banFactor: 2,
    maxBanMs: 86_400_000,
    forgetMs: 7 * 86_400_000,
  });
  assert.deepEqual(voicemail.pinSourceLockout, {
    maxFailures: 5,
    windowMs: 3600_000,
    banMs: 300_000,
    banFactor: 2,
    maxBanMs: 86_400_000,
    forgetMs: 7 * 86_400_000,
  });
});

test("PIN settings are validated and named", () => {
  assert.throws(() => parseConfig({ voicemail: { minPinLength: 3 } }), /voicemail\.minPinLength/);
  assert.throws(
    () => parseConfig({ voicemail: { pinLockout: { maxFailures: 0 } } }),
    /voicemail\.pinLockout\.maxFailures/,
  );
  assert.throws(
    () => parseConfig({ voicemail: { pinLockout: { bogus: 1 } } }),
    /voicemail\.pinLockout\.bogus/,
  );
  const c = parseConfig({ voicemail: { minPinLength: 8, pinLockout: { maxFailures: 3 } } });
  assert.equal(c.voicemail.minPinLength, 8);
  assert.equal(c.voicemail.pinLockout.maxFailures, 3);
  assert.equal(c.voicemail.pinLockout.banMs, 300_000);
});

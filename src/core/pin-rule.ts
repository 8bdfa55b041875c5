// The rule a new voicemail PIN must meet (docs/security.md "Voicemail PINs"): digits only, at most
// 12, and at least `voicemail.minPinLength` (default 6). PINs set before the minimum was raised
// keep working; only setting one is refused.

import { ValidationError } from "./errors.ts";

export const MAX_PIN_LENGTH = 12;

/** Throws a ValidationError on field `pin` naming the rule when `pin` does not meet it. */
export function assertPinRule(pin: string, minPinLength: number): void {
  if (!/^[0-9]+$/.test(pin) || pin.length > MAX_PIN_LENGTH) {
    throw new ValidationError("pin", `expected ${minPinLength}–${MAX_PIN_LENGTH} digits`);
  }
  if (pin.length < minPinLength) {
    throw new ValidationError(
      "pin",
      `must be at least ${minPinLength} digits (voicemail.minPinLength); ${pin.length} given`,
    );
  }
}

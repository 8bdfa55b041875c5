// The mailbox's PIN guard (adapters/telephone/mailbox.ts PinGuard) built from the config: the
// lockout of core/pin-lockout.ts over the store, one warn line per lock (never the PIN), and a
// notice to the user through the gateway, routed like any text (docs/security.md "Voicemail PINs").

import type { Logger } from "pino";
import type { PinGuard } from "../adapters/telephone/mailbox.ts";
import type { Config } from "../config/schema.ts";
import type { Address } from "../core/address.ts";
import { KeyedLock } from "../core/keyed-lock.ts";
import { type PinAttempt, PinLockout } from "../core/pin-lockout.ts";
import type { Gateway } from "../core/ports.ts";
import type { Store } from "../store/types.ts";

/** The system sender of security notices (as claim codes are sent from). */
const NOTICE_SENDER: Address = { scheme: "web", userId: "omnivox", clientId: "security" };

export function lockNoticeText(failures: number, callers: readonly string[], until: Date): string {
  const from = callers.length > 0 ? callers.join(", ") : "unknown callers";
  return (
    `Your voicemail box was locked after ${failures} wrong PINs from ${from}; ` +
    `it unlocks at ${until.toISOString()}. If this was not you, choose a longer PIN.`
  );
}

export function pinGuard(
  config: Pick<Config, "voicemail">,
  deps: {
    store: Store;
    gateway: Gateway;
    logger: Logger;
    now?: () => number;
    /** Told of each lock as it begins (the `omnivox_throttled_total` metric). */
    onLock?: (scope: "mailbox" | "source") => void;
  },
): PinGuard {
  const { pinLockout, pinSourceLockout, minPinLength } = config.voicemail;
  const lockout = new PinLockout(
    { mailbox: pinLockout, source: pinSourceLockout },
    deps.store.pinLockouts,
    deps.now,
  );
  const log = deps.logger;
  const checks = new KeyedLock();

  const notify = async (userId: string, failures: number, callers: string[], until: Date) => {
    const user = await deps.store.users.get(userId);
    if (!user) return;
    const email = user.profile.emails[0];
    const to: Address = email
      ? { scheme: "mailto", email }
      : { scheme: "web", userId, clientId: "security" };
    const text = lockNoticeText(failures, callers, until);
    await deps.gateway.receive({
      kind: "email",
      direction: "inbound",
      userId,
      from: NOTICE_SENDER,
      to,
      subject: "Your voicemail box was locked",
      receivedAt: new Date(deps.now?.() ?? Date.now()),
      // One notice per lock, even if the same lock were reported twice.
      nativeRefs: [{ system: "omnivox", id: `pin-lock-${userId}-${until.getTime()}` }],
      warnings: [],
      body: { text },
      // Routes send mail to IM by default; this notice goes to the user's mailbox as well.
      ...(email ? { extraTargets: [{ address: to }] } : {}),
    });
  };

  return {
    oneAtATime: (userId, work) => checks.run(userId, work),
    async locked(userId, caller) {
      const check = await lockout.check(userId, caller);
      return check.locked ? check.until : undefined;
    },
    async failed(userId, caller: PinAttempt) {
      const result = await lockout.fail(userId, caller);
      if (result.sourceLockedNow) {
        deps.onLock?.("source");
        log.warn(
          {
            mailbox: userId,
            source: caller.source,
            count: pinSourceLockout.maxFailures,
            until: result.sourceLockedNow.until.toISOString(),
          },
          "voicemail PIN: source locked after wrong PINs",
        );
      }
      const locked = result.lockedNow;
      if (locked) {
        deps.onLock?.("mailbox");
        log.warn(
          {
            mailbox: userId,
            source: caller.source,
            count: locked.failures,
            until: locked.until.toISOString(),
          },
          "voicemail PIN: mailbox locked after wrong PINs",
        );
        // The lock holds whether or not the notice gets through; a failed notice is logged.
        await notify(userId, locked.failures, locked.callers, locked.until).catch((err) =>
          log.error({ err, mailbox: userId }, "voicemail PIN: cannot send the lock notice"),
        );
      }
      return result.check.locked ? result.check.until : undefined;
    },
    succeeded(userId, caller, pinLength) {
      lockout.succeed(userId, caller);
      if (pinLength < minPinLength) {
        log.warn(
          { mailbox: userId, minPinLength },
          `voicemail PIN shorter than voicemail.minPinLength (${minPinLength} digits) used; ask the user to set a longer one`,
        );
      }
    },
  };
}

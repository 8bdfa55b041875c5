// Parallel forking done by the calling UA (RFC 3261 §16.6–16.7 as a proxy forks, here for a
// user's registered bindings): every branch is INVITEd at once with the same offer; the first 2xx
// wins; the others get CANCEL (with RFC 3326 Reason "Call completed elsewhere"); a 2xx from
// another branch after that is ACKed and hung up (§16.7 step 5); when every branch fails the most
// relevant final response is chosen (§16.7 step 6).

import type { Destination } from "../endpoint.ts";
import {
  CallFailedError,
  type InviteClientSession,
  type PlaceCallOptions,
  placeCall,
} from "./invite-client.ts";

export interface ForkBranch {
  uri: string;
  dest: Destination;
  /** A preloaded route set (the phone's Path); `dest` is then its first hop. */
  routes?: readonly string[];
  /** Our Contact on this branch (its transport and port), when it differs from the call's. */
  localContact?: string;
}

/** Every branch failed: `status`/`reason` are the chosen response, `failures` one per branch. */
export class ForkFailedError extends CallFailedError {
  constructor(
    status: number,
    reason: string,
    readonly failures: readonly unknown[],
  ) {
    super(status, reason, `call failed: ${status} ${reason} (${failures.length} phones)`);
  }
}

const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';

/**
 * How telling a branch's failure is, lower first: a global refusal (6xx), busy, another 4xx, not
 * found/unavailable or timed out, our own CANCEL, a server error, no response at all.
 */
function rank(err: unknown): number {
  if (!(err instanceof CallFailedError)) return 7;
  const s = err.status;
  if (s >= 600) return 0;
  if (s === 486) return 1;
  if (s >= 400 && s < 500 && s !== 408 && s !== 480 && s !== 487) return 2;
  if (s === 480 || s === 408) return 3;
  if (s === 487) return 4;
  return 5;
}

/** The failure reported for the whole fork (RFC 3261 §16.7 step 6, simplified). */
export function bestFailure(failures: readonly unknown[]): unknown {
  let best: unknown = failures[0];
  for (const f of failures) if (rank(f) < rank(best)) best = f;
  return best;
}

/** What a fork may be told from outside: it is called off, or an answer must be allowed first. */
export interface ForkControl {
  /** Calls every branch off (CANCEL with "Call completed elsewhere"): another party won. */
  signal?: AbortSignal;
  /**
   * Asked once, when the first branch answers, whether this fork may keep the call: false when a
   * wider fork (a cluster's other node) already has a winner, and the answer is then hung up.
   */
  admit?: () => Promise<boolean>;
}

/**
 * Rings every branch at once with `opts` (Request-URI and destination per branch); resolves with
 * the answered session, rejects with ForkFailedError (or the only branch's own error; 487 when
 * called off or not admitted).
 */
export function forkCall(
  opts: Omit<PlaceCallOptions, "uri" | "dest" | "signal">,
  branches: readonly ForkBranch[],
  control: ForkControl = {},
): Promise<InviteClientSession> {
  if (branches.length === 0) return Promise.reject(new CallFailedError(480, "No Branches"));
  if (branches.length === 1 && !control.admit && !control.signal)
    return placeCall({ ...opts, ...branches[0]! });
  const controllers = branches.map(() => new AbortController());
  const abortAll = () => {
    for (const c of controllers) c.abort();
  };
  control.signal?.addEventListener("abort", abortAll, { once: true });
  const failures: unknown[] = new Array(branches.length);
  let winner: InviteClientSession | undefined;
  let admitted: Promise<boolean> | undefined;
  let refused = false;
  let pending = branches.length;
  return new Promise<InviteClientSession>((resolve, reject) => {
    const settleFailed = () => {
      if (pending > 0 || winner) return;
      if (refused || control.signal?.aborted) {
        reject(new CallFailedError(487, "Call completed elsewhere"));
        return;
      }
      if (branches.length === 1) {
        reject(failures[0]);
        return;
      }
      const best = bestFailure(failures);
      const status = best instanceof CallFailedError ? best.status : 408;
      const reason =
        best instanceof CallFailedError
          ? best.reason
          : best instanceof Error
            ? best.message
            : String(best);
      reject(new ForkFailedError(status, reason, failures));
    };
    const answered = async (session: InviteClientSession, i: number) => {
      if (!winner && !refused) {
        admitted ??= (control.admit?.() ?? Promise.resolve(true)).catch(() => false);
        if (!(await admitted)) refused = true;
      }
      pending--;
      if (winner || refused) {
        // Answered too late (its CANCEL crossed the 200) or elsewhere first: ACKed, now BYE.
        void session.hangup();
        if (refused) abortAll();
        failures[i] = new CallFailedError(487, "Call completed elsewhere");
        settleFailed();
        return;
      }
      winner = session;
      controllers.forEach((c, j) => {
        if (j !== i) c.abort();
      });
      resolve(session);
    };
    branches.forEach((branch, i) => {
      placeCall({
        ...opts,
        ...branch,
        signal: controllers[i]!.signal,
        cancelReason: COMPLETED_ELSEWHERE,
      }).then(
        (session) => void answered(session, i),
        (err: unknown) => {
          pending--;
          failures[i] = err;
          settleFailed();
        },
      );
    });
  }).finally(() => control.signal?.removeEventListener("abort", abortAll));
}

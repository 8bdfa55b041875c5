// Taking a call over (README "Internet call waiting"): a deposit view a takeover can end without
// hanging up, and the G.711 frame relay between the caller and the leg the user answered.

import type { CallEnd, CallLeg, OutboundLeg } from "../../core/telephony.ts";

/**
 * The deposit's view of the caller: the same call, except that `interrupt()` makes it look hung
 * up, so the deposit keeps what it recorded while the caller stays on the line.
 */
export function interruptible(leg: CallLeg): { leg: CallLeg; interrupt(): void } {
  let interrupt!: () => void;
  const interrupted = new Promise<CallEnd>((resolve) => {
    interrupt = () => resolve("local-hangup");
  });
  const view: CallLeg = {
    id: leg.id,
    party: leg.party,
    play: (samples, opts) => leg.play(samples, opts),
    onFrame: (listener) => leg.onFrame(listener),
    onDigit: (listener) => leg.onDigit(listener),
    ended: Promise.race([leg.ended, interrupted]),
    beforeHangupAck: (task) => leg.beforeHangupAck(task),
    hangup: () => leg.hangup(),
  };
  return { leg: view, interrupt };
}

/**
 * Relays audio between the caller and `other` until either ends; then hangs up `other` (the
 * caller's leg belongs to the telephone service, which hangs it up itself).
 */
export async function relay(
  caller: CallLeg,
  toCaller: (pcm: Int16Array) => void,
  other: OutboundLeg,
): Promise<void> {
  // Silence our clock made up for the caller's missing packets stays here: the other leg's own
  // keep-alive covers the gap on its timeline, so nothing is sent twice.
  const offCaller = caller.onFrame((pcm, idle) => {
    if (!idle) other.sendFrame(pcm);
  });
  const offOther = other.onFrame((pcm) => toCaller(pcm));
  try {
    await Promise.race([caller.ended, other.ended]);
  } finally {
    offCaller();
    offOther();
    await other.hangup();
  }
}

// Out-of-dialog message-summary NOTIFYs to registered phones that never subscribe (the
// "unsolicited MWI" many PBXs send; RFC 3842 §3 leaves it to local policy): one NOTIFY per
// contact the Registrar holds for the user, sent through the proxies of its Path (RFC 3327 §5.3)
// or else where its REGISTER came from.

import type { Logger } from "pino";
import { requestTarget } from "../../dialog/dialog.ts";
import {
  createRequest,
  type Destination,
  newCallId,
  newTag,
  type SipEndpoint,
} from "../../endpoint.ts";
import { type Binding, bindingDestination, type Registrar } from "../../registrar/index.ts";
import type { TransportKind } from "../../transport/types.ts";
import { EVENT_PACKAGE, SUMMARY_TYPE } from "./request.ts";

export interface UnsolicitedOptions {
  endpoint: SipEndpoint;
  /** Our Contact URI for a transport, also the host part of the Call-IDs we make. */
  localContact: (transport: TransportKind) => string;
  logger?: Logger;
}

/** Every live binding whose registration belongs to `userId`. */
export function bindingsOfUser(registrar: Registrar, userId: string): Binding[] {
  return registrar
    .aors()
    .flatMap((aor) => registrar.bindings(aor).filter((b) => b.userId === userId));
}

export async function sendUnsolicited(
  opts: UnsolicitedOptions,
  binding: Binding,
  body: Buffer,
): Promise<void> {
  const dest = bindingDestination(binding, (d) => opts.endpoint.isConnected(d));
  if (dest === undefined) return;
  const contact = opts.localContact(dest.transport);
  const host = /@([^;>:]+)/.exec(contact)?.[1] ?? "omnivox";
  const target = requestTarget(binding.path ?? [], binding.contact);
  const req = createRequest({
    method: "NOTIFY",
    uri: target.uri,
    from: { uri: binding.aor, tag: newTag() },
    to: { uri: binding.aor },
    callId: newCallId(host),
    cseq: 1,
    contact,
    headers: [
      ...target.routes.map((r): [string, string] => ["Route", r]),
      ["Event", EVENT_PACKAGE],
      ["Subscription-State", "active"],
    ],
    body,
    contentType: SUMMARY_TYPE,
  });
  try {
    const res = await opts.endpoint.sendRequest(req, dest);
    if (res.status >= 300)
      opts.logger?.debug({ status: res.status }, "unsolicited mwi notify refused");
  } catch (err) {
    // A phone that is off or unreachable misses this one; its next registration brings the state.
    opts.logger?.debug({ err: String(err) }, "unsolicited mwi notify failed");
  }
}

/** Where a live subscription's NOTIFYs go: its next hop and the phone's Contact. */
export interface SubscriberPlace {
  destination: Destination;
  remoteTarget: string;
}

/**
 * NOTIFYs each binding whose phone is not among `subscribers` (where live subscriptions send
 * their NOTIFYs): a phone that subscribes must not hear every change twice. Phones behind a
 * proxy (a Path) all share its address, so those are told apart by Contact. `body` is read only
 * when someone is left to notify.
 */
export async function notifyPhones(
  opts: UnsolicitedOptions,
  bindings: readonly Binding[],
  subscribers: readonly SubscriberPlace[],
  body: () => Promise<Buffer | undefined>,
): Promise<void> {
  const key = (d: Destination) => `${d.host}:${d.port}`;
  const subscribed = new Set(subscribers.map((s) => key(s.destination)));
  const contacts = new Set(subscribers.map((s) => s.remoteTarget.toLowerCase()));
  const targets = bindings.filter((b) => {
    const d = bindingDestination(b, (dest) => opts.endpoint.isConnected(dest));
    if (d === undefined) return false;
    return b.path?.length ? !contacts.has(b.contact.toLowerCase()) : !subscribed.has(key(d));
  });
  if (targets.length === 0) return;
  const content = await body();
  if (content === undefined) return;
  await Promise.all(targets.map((b) => sendUnsolicited(opts, b, content)));
}

// Delivery through the node that runs the XMPP component (docs/cluster.md "Ownership"): an XMPP
// server takes one connection per component (Prosody closes a second one with `conflict`), so in
// a cluster one node holds it by lease and the others hand it their stanzas, made ready, over the
// TargetRelay port. The stanza travels as the element tree the component would write.

import { z } from "zod";
import { DeliveryError } from "../../core/errors.ts";
import type { TargetRelay } from "../../core/ports.ts";
import type { XmlElement, XmlNode } from "../../protocols/xmpp/index.ts";

/** A stanza made ready for one JID: what the node holding the component sends and waits for. */
export interface PreparedStanza {
  /** The JID as the target names it. */
  to: string;
  stanza: XmlElement;
  /** A chat message: the communication a reply in this thread points back at. */
  thread?: string;
  /** An indicator: the PEP publish (an iq payload) sent after it. */
  pep?: XmlElement;
}

const elementSchema: z.ZodType<XmlElement> = z.lazy(() =>
  z.strictObject({
    name: z.string().min(1).max(64),
    attrs: z.record(z.string(), z.string()),
    children: z.array(z.union([z.string(), elementSchema])) as z.ZodType<XmlNode[]>,
  }),
);

const preparedSchema = z.strictObject({
  to: z.string().min(1).max(3071),
  stanza: elementSchema,
  thread: z.string().min(1).max(256).optional(),
  pep: elementSchema.optional(),
});

/** The body of a forwarded stanza; a message is the only kind another node may hand over. */
export function parsePrepared(body: string): PreparedStanza {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new DeliveryError("forwarded xmpp stanza is not JSON", true);
  }
  const parsed = preparedSchema.safeParse(json);
  if (!parsed.success || parsed.data.stanza.name !== "message")
    throw new DeliveryError("forwarded xmpp stanza not understood", true);
  const { to, stanza, thread, pep } = parsed.data;
  return { to, stanza, ...(thread ? { thread } : {}), ...(pep ? { pep } : {}) };
}

/** How a node without the component reaches the one with it. */
export interface ComponentRelay {
  /** Whether some other node runs the component now, as far as this node has heard. */
  elsewhere(): boolean;
  /** Sends through the node running the component; rejects as its own send would. */
  forward(prepared: PreparedStanza): Promise<void>;
  /** While this node runs the component: takes the other nodes' stanzas; returns the release. */
  hold(send: (prepared: PreparedStanza) => Promise<void>): () => void;
}

/** The component's relay key is its own address, `xmpp:<component domain>`. */
export function componentRelay(relay: TargetRelay, domain: string): ComponentRelay {
  const key = `xmpp:${domain}`;
  return {
    elsewhere: () => relay.heldElsewhere(key),
    forward: async (prepared) => {
      await relay.forward(key, prepared.stanza.attrs.id ?? prepared.to, JSON.stringify(prepared));
    },
    hold: (send) => relay.hold(key, (_id, body) => send(parsePrepared(body))),
  };
}

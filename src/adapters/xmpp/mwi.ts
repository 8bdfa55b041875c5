// The voicemail indicator on XMPP (README "Message waiting", docs/mwi-indicator.md): a chat line
// for any client plus `<mwi xmlns="urn:omnivox:mwi:1">` for clients that read it, and the same
// element as the item of a PEP node (XEP-0163 over XEP-0060 publish) at the user's own JID.

import type { Logger } from "pino";
import { indicatorText, type MwiCounts, type VoicemailIndicator } from "../../core/mwi.ts";
import { type IqCaller, StanzaError, type XmlElement, xml } from "../../protocols/xmpp/index.ts";
import { NS_RECEIPTS } from "./outbound.ts";

export const NS_MWI = "urn:omnivox:mwi:1";
export const NS_PUBSUB = "http://jabber.org/protocol/pubsub";
/** The PEP node the indicator is published to; its one item is always `current`. */
export const MWI_NODE = NS_MWI;

function counts(c: MwiCounts): Record<string, number> {
  return { new: c.new, old: c.old, "urgent-new": c.urgentNew, "urgent-old": c.urgentOld };
}

function caller(c: { ani?: string; dnis?: string; at: string }, systemId?: string): XmlElement {
  return xml("last-caller", { system: systemId, ani: c.ani, dnis: c.dnis, at: c.at });
}

/** The indicator as our element; every field of VoicemailIndicator has a place in it. */
export function mwiElement(ind: VoicemailIndicator): XmlElement {
  return xml(
    "mwi",
    { xmlns: NS_MWI, user: ind.userId, version: ind.version },
    xml("client", { id: ind.client.id, kind: ind.client.kind, jid: ind.client.jid }),
    xml("total", counts(ind.total)),
    ind.systems.map((s) =>
      xml(
        "system",
        { id: s.id, kind: s.kind, enabled: String(s.enabled), ...counts(s) },
        s.lastCaller && caller(s.lastCaller),
      ),
    ),
    ind.lastCaller && caller(ind.lastCaller, ind.lastCaller.systemId),
    ind.supplemental &&
      xml(
        "supplemental",
        { timestamp: ind.supplemental.timestamp },
        ind.supplemental.text !== undefined && ind.supplemental.text,
      ),
  );
}

/**
 * The chat message that carries an indicator: the readable line as body (docs/mwi-indicator.md), our element,
 * and a receipt request. `id` is stable per (client, version), so a resend is one message.
 */
export function indicatorMessage(opts: {
  to: string;
  from: string;
  id: string;
  indicator: VoicemailIndicator;
}): XmlElement {
  return xml(
    "message",
    { type: "chat", to: opts.to, from: opts.from, id: opts.id },
    xml("body", {}, indicatorText(opts.indicator)),
    mwiElement(opts.indicator),
    xml("request", { xmlns: NS_RECEIPTS }),
  );
}

/** XEP-0060 §7.1 publish of the indicator as item `current` of MWI_NODE (sent as an iq set). */
export function pepPublish(indicator: VoicemailIndicator): XmlElement {
  return xml(
    "pubsub",
    { xmlns: NS_PUBSUB },
    xml("publish", { node: MWI_NODE }, xml("item", { id: "current" }, mwiElement(indicator))),
  );
}

export type PepOutcome = "published" | "refused" | "failed" | "skipped";

/**
 * Publishes indicators to each client's PEP node. Prosody lets only the node's owner and the
 * JIDs the owner made `publisher` (XEP-0060 §8.9) publish, and a component cannot speak as the
 * user; so this works once the user has granted our component domain that affiliation, and a
 * refusal is remembered for `retryAfterMs` instead of being asked again on every change.
 */
export class PepPublisher {
  readonly #refused = new Map<string, number>();

  constructor(
    readonly iq: Pick<IqCaller, "set">,
    readonly logger: Logger,
    readonly retryAfterMs = 10 * 60_000,
    readonly timeoutMs = 5_000,
  ) {}

  /** `item` is the pubsub payload pepPublish made. */
  async publish(bare: string, item: XmlElement): Promise<PepOutcome> {
    const until = this.#refused.get(bare);
    if (until !== undefined && until > Date.now()) return "skipped";
    this.#refused.delete(bare);
    try {
      await this.iq.set(bare, item, this.timeoutMs);
      return "published";
    } catch (err) {
      if (err instanceof StanzaError) {
        this.#refused.set(bare, Date.now() + this.retryAfterMs);
        this.logger.debug(
          { jid: bare, condition: err.condition },
          "xmpp: PEP publish of the indicator refused (the user has not made us a publisher)",
        );
        return "refused";
      }
      this.logger.debug({ err, jid: bare }, "xmpp: PEP publish of the indicator failed");
      return "failed";
    }
  }

  /** A new stream (or a changed grant): ask everyone again. */
  reset(): void {
    this.#refused.clear();
  }
}

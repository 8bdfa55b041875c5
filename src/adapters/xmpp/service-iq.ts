// Answers iq get/set addressed to our component (RFC 6120 §8.2.3: every request gets a result or
// an error, or the asking client waits forever): XEP-0030 disco#info naming what we speak,
// XEP-0199 ping, and `service-unavailable` for the rest; and the bounce of an oversized stanza.

import { StanzaError, type XmlElement, xml } from "../../protocols/xmpp/index.ts";
import { NS_MWI } from "./mwi.ts";
import { NS_OOB, NS_RECEIPTS } from "./outbound.ts";
import { NS_REPLY } from "./threads.ts";

export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
export const NS_PING = "urn:xmpp:ping";

const FEATURES = [NS_DISCO_INFO, NS_PING, NS_RECEIPTS, NS_OOB, NS_REPLY, NS_MWI];

/** The answer to an iq get/set, or undefined for results and errors (not requests). */
export function answerIq(stanza: XmlElement): XmlElement | undefined {
  const { type, id, from, to } = stanza.attrs;
  if (stanza.name !== "iq" || (type !== "get" && type !== "set") || !from) return undefined;
  const reply = { to: from, from: to, id };
  const payload = stanza.children.find((c): c is XmlElement => typeof c !== "string");
  const ns = payload?.attrs.xmlns;
  if (type === "get" && payload?.name === "query" && ns === NS_DISCO_INFO && !payload.attrs.node) {
    return xml(
      "iq",
      { ...reply, type: "result" },
      xml(
        "query",
        { xmlns: NS_DISCO_INFO },
        xml("identity", { category: "gateway", type: "smtp", name: "omnivox" }),
        FEATURES.map((v) => xml("feature", { var: v })),
      ),
    );
  }
  if (type === "get" && payload?.name === "ping" && ns === NS_PING)
    return xml("iq", { ...reply, type: "result" });
  return xml(
    "iq",
    { ...reply, type: "error" },
    new StanzaError("service-unavailable", "cancel").toElement(),
  );
}

/** RFC 6120 §8.3.3.12: tells the sender its stanza was too big (never an error for an error). */
export function oversizedBounce(top: XmlElement): XmlElement | undefined {
  const { from, to, id, type } = top.attrs;
  if (!from || !to || type === "error" || type === "result" || top.name === "presence")
    return undefined;
  const error = new StanzaError("policy-violation", "modify", "stanza too large");
  return xml(top.name, { type: "error", to: from, from: to, id }, error.toElement());
}

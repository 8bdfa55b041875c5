// XMPP error classes after RFC 6120: stream errors (§4.9) end the connection, stanza errors
// (§8.3) answer one stanza. Both read from and write to their XML form.

import { children, localName, text, type XmlElement, xml } from "./xml.ts";

export const NS_STREAMS = "http://etherx.jabber.org/streams";
export const NS_XMPP_STREAMS = "urn:ietf:params:xml:ns:xmpp-streams";
export const NS_XMPP_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

export class XmppError extends Error {
  override name = "XmppError";
  constructor(
    readonly condition: string,
    readonly text?: string,
  ) {
    super(text ? `${condition}: ${text}` : condition);
  }
}

/** Reads the defined condition and optional text of a `<stream:error/>` or `<error/>`. */
function conditionOf(el: XmlElement, ns: string): { condition: string; text?: string } {
  let condition = "undefined-condition";
  let description: string | undefined;
  for (const c of children(el)) {
    if (localName(c) === "text") description = text(c);
    else if (c.attrs.xmlns === ns) condition = localName(c);
  }
  return description === undefined ? { condition } : { condition, text: description };
}

/** RFC 6120 §4.9: a stream-level error; the stream is closed after it. */
export class StreamError extends XmppError {
  override name = "StreamError";

  static fromElement(el: XmlElement): StreamError {
    const { condition, text } = conditionOf(el, NS_XMPP_STREAMS);
    return new StreamError(condition, text);
  }

  toElement(): XmlElement {
    return xml(
      "stream:error",
      {},
      xml(this.condition, { xmlns: NS_XMPP_STREAMS }),
      this.text !== undefined && xml("text", { xmlns: NS_XMPP_STREAMS }, this.text),
    );
  }
}

/** RFC 6120 §8.3: an error returned for one stanza (`type="error"`). */
export class StanzaError extends XmppError {
  override name = "StanzaError";
  constructor(
    condition: string,
    readonly type: "auth" | "cancel" | "continue" | "modify" | "wait" | string = "cancel",
    text?: string,
  ) {
    super(condition, text);
  }

  static fromStanza(stanza: XmlElement): StanzaError {
    const error = children(stanza, "error")[0];
    if (!error) return new StanzaError("undefined-condition");
    const { condition, text } = conditionOf(error, NS_XMPP_STANZAS);
    return new StanzaError(condition, error.attrs.type ?? "cancel", text);
  }

  toElement(): XmlElement {
    return xml(
      "error",
      { type: this.type },
      xml(this.condition, { xmlns: NS_XMPP_STANZAS }),
      this.text !== undefined && xml("text", { xmlns: NS_XMPP_STANZAS }, this.text),
    );
  }
}

/** A request that got no answer in time (an iq, the handshake, a close). */
export class XmppTimeoutError extends Error {
  override name = "XmppTimeoutError";
}

/** send() while the connection is not online. */
export class NotConnectedError extends Error {
  override name = "NotConnectedError";
}

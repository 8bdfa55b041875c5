// Addresses of parties on every system, written as URIs: mailto: (RFC 6068), tel: (RFC 3966),
// sip: (RFC 3261), xmpp: (RFC 5122), web: for a user's browser client, voicemail: for a user's
// box in our own voicemail store, legacy: for one of the user's boxes on a legacy system and
// webhook: for an HTTP endpoint of the configuration (`webhooks[].id`).

import { InvalidAddressError } from "./errors.ts";
import type { SystemKind } from "./system.ts";

export type Address =
  | { scheme: "mailto"; email: string; name?: string }
  | { scheme: "tel"; number: string }
  | { scheme: "sip"; uri: string }
  | { scheme: "xmpp"; jid: string }
  | { scheme: "web"; userId: string; clientId: string }
  | { scheme: "voicemail"; userId: string }
  /** A deposit target: the profile's voicemail system `systemId` (its depositUri) of `userId`. */
  | { scheme: "legacy"; userId: string; systemId: string }
  /** An operator's app, reached by the configured webhook `id` (the URL stays in the config). */
  | { scheme: "webhook"; id: string };

/** What a webhook id may be: it is part of an address and of a route target, so no ":" or "/". */
export const WEBHOOK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const EMAIL = /^[^\s@<>()"]+@[^\s@<>()"]+\.?[^\s@<>()"]*$/;

/**
 * Parses `mailto:a@b`, `tel:+1555`, `sip:x@y`, `xmpp:a@b`, `web:user/client`, `voicemail:user`,
 * `legacy:user/system`, `webhook:id`; throws InvalidAddressError.
 */
export function parseAddress(input: string): Address {
  const colon = input.indexOf(":");
  if (colon < 0)
    throw new InvalidAddressError(input, "missing scheme (mailto:, tel:, sip:, xmpp:)");
  const scheme = input.slice(0, colon).toLowerCase();
  const rest = input.slice(colon + 1);
  switch (scheme) {
    case "mailto": {
      const email = decodeEscapes(rest.split("?")[0] ?? "");
      if (email === undefined)
        throw new InvalidAddressError(input, "malformed %-escape (expected %XX of UTF-8)");
      if (!EMAIL.test(email.trim())) throw new InvalidAddressError(input, "not an email address");
      return { scheme: "mailto", email: email.trim().toLowerCase() };
    }
    case "tel": {
      const number = rest.replace(/[\s().-]/g, "");
      if (!/^\+?[0-9*#]{1,32}$/.test(number))
        throw new InvalidAddressError(input, "not a phone number");
      return { scheme: "tel", number };
    }
    case "sip":
    case "sips":
      if (!/^[^\s@]+@[^\s]+$|^[^\s@]+$/.test(rest))
        throw new InvalidAddressError(input, "not a SIP URI");
      return { scheme: "sip", uri: `${scheme}:${rest}` };
    case "xmpp": {
      const jid = rest.replace(/^\/\//, "");
      // RFC 5122 §2.2: the URI form is %-encoded; kept as written, but a broken escape is an error.
      if (!/^([^\s@/]+@)?[^\s@/]+(\/.*)?$/.test(jid) || decodeEscapes(jid) === undefined)
        throw new InvalidAddressError(input, "not a JID");
      return { scheme: "xmpp", jid };
    }
    case "web": {
      const [userId, clientId = "web"] = rest.split("/");
      if (!userId) throw new InvalidAddressError(input, "missing user id");
      return { scheme: "web", userId, clientId };
    }
    case "voicemail": {
      // A malformed %-escape is reported as "not a user id" like any other bad id.
      const userId = decodeEscapes(rest) ?? "";
      if (!/^[^\s/]+$/.test(userId)) throw new InvalidAddressError(input, "not a user id");
      return { scheme: "voicemail", userId };
    }
    case "legacy": {
      // Each part is %-encoded, so a "/" inside an id cannot shift the split.
      const parts = rest.split("/").map(decodePart);
      const [userId, systemId] = parts;
      if (parts.length !== 2 || !userId || !systemId)
        throw new InvalidAddressError(input, "expected legacy:<user id>/<voicemail system id>");
      return { scheme: "legacy", userId, systemId };
    }
    case "webhook":
      if (!WEBHOOK_ID.test(rest))
        throw new InvalidAddressError(input, "expected webhook:<id> (A-Z a-z 0-9 . _ -)");
      return { scheme: "webhook", id: rest };
    default:
      throw new InvalidAddressError(input, `unknown scheme "${scheme}"`);
  }
}

/** The canonical URI form, used as the delivery target key (idempotency is on communication + target). */
export function formatAddress(a: Address): string {
  switch (a.scheme) {
    case "mailto":
      return `mailto:${a.email}`;
    case "tel":
      return `tel:${a.number}`;
    case "sip":
      return a.uri;
    case "xmpp":
      return `xmpp:${a.jid}`;
    case "web":
      return `web:${a.userId}/${a.clientId}`;
    case "voicemail":
      return `voicemail:${encodeURIComponent(a.userId)}`;
    case "legacy":
      return `legacy:${encodeURIComponent(a.userId)}/${encodeURIComponent(a.systemId)}`;
    case "webhook":
      return `webhook:${a.id}`;
  }
}

/** Which system an address reaches when a communication is sent to it. */
export function systemOf(a: Address): SystemKind {
  switch (a.scheme) {
    case "mailto":
      return "email";
    case "tel":
    case "sip":
      return "pstn";
    case "xmpp":
    case "web":
      return "im";
    case "voicemail":
      return "voicemail";
    case "legacy":
      return "legacy-voicemail";
    case "webhook":
      return "webhook";
  }
}

/** A human-readable label: "Bob <bob@x>", "+1555…". */
export function displayAddress(a: Address): string {
  switch (a.scheme) {
    case "mailto":
      return a.name ? `${a.name} <${a.email}>` : a.email;
    case "tel":
      return a.number;
    case "sip":
      return a.uri;
    case "xmpp":
      return a.jid;
    case "web":
      return a.userId;
    case "voicemail":
      return `voicemail of ${a.userId}`;
    case "legacy":
      return `voicemail system ${a.systemId} of ${a.userId}`;
    case "webhook":
      return `webhook ${a.id}`;
  }
}

/** A decoded id part, or "" when it is empty, malformed, or holds white space or "/". */
function decodePart(part: string): string {
  const value = decodeEscapes(part) ?? "";
  return /^[^\s/]+$/.test(value) ? value : "";
}

/**
 * %-decoding (RFC 3986 §2.1) that reports a malformed escape ("%", "%zz", a lone UTF-8 byte) as
 * undefined instead of throwing URIError, so callers answer with their own InvalidAddressError.
 */
function decodeEscapes(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

// JIDs (RFC 7622): split and join, and the JID Escaping of XEP-0106 that lets any string (an
// e-mail address, "at&t guy") become the localpart of an address at our component's domain.

export class JidError extends Error {
  override name = "JidError";
}

export interface Jid {
  local?: string;
  domain: string;
  resource?: string;
}

/** Splits `local@domain/resource`; throws JidError for an empty domain or an empty part. */
export function parseJid(s: string): Jid {
  const slash = s.indexOf("/");
  const bare = slash < 0 ? s : s.slice(0, slash);
  const resource = slash < 0 ? undefined : s.slice(slash + 1);
  const at = bare.indexOf("@");
  const local = at < 0 ? undefined : bare.slice(0, at);
  const domain = (at < 0 ? bare : bare.slice(at + 1)).toLowerCase().replace(/\.$/, "");
  if (domain === "" || local === "" || resource === "" || domain.includes("@"))
    throw new JidError(`not a JID: "${s.slice(0, 100)}"`);
  const jid: Jid = { domain };
  if (local !== undefined) jid.local = local;
  if (resource !== undefined) jid.resource = resource;
  return jid;
}

export function formatJid(jid: Jid): string {
  const bare = jid.local === undefined ? jid.domain : `${jid.local}@${jid.domain}`;
  return jid.resource === undefined ? bare : `${bare}/${jid.resource}`;
}

/** `local@domain` without the resource, domain lower-cased. */
export function bareJid(s: string): string {
  const { local, domain } = parseJid(s);
  return formatJid(local === undefined ? { domain } : { local, domain });
}

// XEP-0106 §3.1: the ten characters that cannot appear in a localpart, and their escapes.
const ESCAPES: Record<string, string> = {
  " ": "\\20",
  '"': "\\22",
  "&": "\\26",
  "'": "\\27",
  "/": "\\2f",
  ":": "\\3a",
  "<": "\\3c",
  ">": "\\3e",
  "@": "\\40",
  "\\": "\\5c",
};
const UNESCAPES: Record<string, string> = Object.fromEntries(
  Object.entries(ESCAPES).map(([ch, seq]) => [seq.slice(1), ch]),
);
const SEQUENCE = /\\(20|22|26|27|2f|3a|3c|3e|40|5c)/g;

/**
 * Escapes a string for use as a localpart (XEP-0106 §4.2). A backslash is escaped only where it
 * would otherwise start an escape sequence. Throws JidError for an empty string or one that
 * starts or ends with a space, which XEP-0106 forbids.
 */
export function escapeLocal(s: string): string {
  if (s === "" || s.startsWith(" ") || s.endsWith(" "))
    throw new JidError("a localpart must not be empty or start or end with a space");
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "\\") {
      const next = s.slice(i + 1, i + 3);
      out += next in UNESCAPES ? "\\5c" : "\\";
    } else out += ESCAPES[c] ?? c;
  }
  return out;
}

/** Reverses escapeLocal (XEP-0106 §4.3); a backslash not starting a known sequence stays. */
export function unescapeLocal(s: string): string {
  return s.replace(SEQUENCE, (_m, hex: string) => UNESCAPES[hex] ?? _m);
}

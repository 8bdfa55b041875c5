// XML markup pieces for the XMPP stream parser (parser.ts): the error it throws, entity and
// character-reference decoding (XML 1.0 §4.1, §2.2) and start tags with their attributes (§3.1).

import type { XmlElement } from "./xml.ts";

export type ParseErrorCondition = "not-well-formed" | "restricted-xml" | "policy-violation";

export class XmlStreamError extends Error {
  override name = "XmlStreamError";
  constructor(
    readonly condition: ParseErrorCondition,
    message: string,
  ) {
    super(message);
  }
}

const NAME = /^[A-Za-z_\u00C0-\uFFFF][\w.\-:\u00B7\u00C0-\uFFFF]*$/;
const ATTR = /\s+([^\s=/<>"']+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));/y;
const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
// biome-ignore lint/suspicious/noControlCharactersInRegex: characters XML 1.0 §2.2 forbids
export const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
export const CDATA_OPEN = "<![CDATA[";

export function fail(condition: ParseErrorCondition, message: string): never {
  throw new XmlStreamError(condition, message);
}

function validChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Replaces the five predefined entities and character references; anything else is refused. */
export function decodeEntities(raw: string): string {
  if (FORBIDDEN.test(raw)) fail("not-well-formed", "forbidden control character");
  let amp = raw.indexOf("&");
  if (amp < 0) return raw;
  let out = "";
  let from = 0;
  while (amp >= 0) {
    out += raw.slice(from, amp);
    ENTITY.lastIndex = amp;
    const m = ENTITY.exec(raw);
    if (!m) {
      const named = /^&[A-Za-z_][\w.-]*;/.test(raw.slice(amp, amp + 64));
      fail(named ? "restricted-xml" : "not-well-formed", "undeclared entity or bare '&'");
    }
    if (m[3]) out += PREDEFINED[m[3]];
    else {
      const cp = m[1] ? Number.parseInt(m[1], 16) : Number(m[2]);
      if (!validChar(cp)) fail("not-well-formed", `character reference to U+${cp.toString(16)}`);
      out += String.fromCodePoint(cp);
    }
    from = ENTITY.lastIndex;
    amp = raw.indexOf("&", from);
  }
  return out + raw.slice(from);
}

export function parseStartTag(body: string): XmlElement {
  const nameEnd = body.search(/[\s]|$/);
  const name = body.slice(0, nameEnd);
  if (!NAME.test(name)) fail("not-well-formed", `bad element name "${name.slice(0, 40)}"`);
  const attrs: Record<string, string> = {};
  let pos = nameEnd;
  for (;;) {
    ATTR.lastIndex = pos;
    const m = ATTR.exec(body);
    if (!m) break;
    const key = m[1] as string;
    if (!NAME.test(key)) fail("not-well-formed", `bad attribute name "${key.slice(0, 40)}"`);
    if (Object.hasOwn(attrs, key)) fail("not-well-formed", `duplicate attribute "${key}"`);
    attrs[key] = decodeEntities((m[2] ?? m[3] ?? "").replace(/[\t\n\r]/g, " "));
    pos = ATTR.lastIndex;
  }
  if (body.slice(pos).trim() !== "") fail("not-well-formed", `bad start tag <${name}`);
  return { name, attrs, children: [] };
}

// XML elements for XMPP stanzas: a plain tree, a builder and a serializer with the escaping of
// XML 1.0 §2.4/§3.3.3, restricted to what RFC 6120 §11 allows on a stream.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

type Child = XmlNode | undefined | null | false | readonly Child[];

/** Builds an element; attributes whose value is undefined are left out, children are flattened. */
export function xml(
  name: string,
  attrs: Record<string, string | number | undefined> = {},
  ...children: Child[]
): XmlElement {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined) clean[key] = String(value);
  }
  const flat: XmlNode[] = [];
  const add = (c: Child): void => {
    if (c === undefined || c === null || c === false) return;
    if (Array.isArray(c)) for (const x of c) add(x);
    else flat.push(c as XmlNode);
  };
  for (const c of children) add(c);
  return { name, attrs: clean, children: flat };
}

export function isElement(node: XmlNode | undefined): node is XmlElement {
  return typeof node === "object" && node !== null;
}

/** The name without its prefix (`stream:error` → `error`). */
export function localName(el: XmlElement): string {
  const i = el.name.indexOf(":");
  return i < 0 ? el.name : el.name.slice(i + 1);
}

/** Child elements, optionally only those with this local name and (declared) namespace. */
export function children(el: XmlElement, name?: string, xmlns?: string): XmlElement[] {
  return el.children.filter(
    (c): c is XmlElement =>
      isElement(c) &&
      (name === undefined || localName(c) === name) &&
      (xmlns === undefined || c.attrs.xmlns === xmlns),
  );
}

export function child(el: XmlElement, name: string, xmlns?: string): XmlElement | undefined {
  return children(el, name, xmlns)[0];
}

/** The element's direct text content. */
export function text(el: XmlElement | undefined): string {
  if (!el) return "";
  let out = "";
  for (const c of el.children) if (typeof c === "string") out += c;
  return out;
}

/** Text of the first child with this name, or undefined when there is no such child. */
export function childText(el: XmlElement, name: string, xmlns?: string): string | undefined {
  const c = child(el, name, xmlns);
  return c ? text(c) : undefined;
}

const TEXT_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const ATTR_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': "&quot;", "'": "&apos;" };

// Characters XML 1.0 does not allow at all (C0 controls except tab, LF, CR; U+FFFE/U+FFFF; lone
// surrogates). They are dropped on output so that we never send a stanza the server must reject.
const INVALID_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to remove
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeText(s: string): string {
  return s.replace(INVALID_CHARS, "").replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

export function escapeAttr(s: string): string {
  return s.replace(INVALID_CHARS, "").replace(/[&<>"']/g, (c) => ATTR_ESCAPES[c] ?? c);
}

function openTag(el: XmlElement): string {
  let out = `<${el.name}`;
  for (const [key, value] of Object.entries(el.attrs)) out += ` ${key}="${escapeAttr(value)}"`;
  return out;
}

/** Serializes an element; an element without children is written self-closed. */
export function toXml(node: XmlNode): string {
  if (typeof node === "string") return escapeText(node);
  if (node.children.length === 0) return `${openTag(node)}/>`;
  let out = `${openTag(node)}>`;
  for (const c of node.children) out += toXml(c);
  return `${out}</${node.name}>`;
}

/** The opening tag alone, for a stream header that stays open. */
export function toOpenTag(el: XmlElement): string {
  return `${openTag(el)}>`;
}

// Linear-time HTML measuring and tag stripping: one forward scan with indexOf, no DOM, no
// recursion, no backtracking regex. It is what HTML becomes when the full HTML-to-text conversion
// is over its limits (docs/architecture.md "Bad input and faults": stored as text with a warning),
// and the guard that decides so. Tokenising follows the HTML Living Standard §13.2 only as far as
// tags, comments and raw text go.

/** Elements with no content (HTML §13.1.2 void elements): they never open a level. */
const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "keygen",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);

/** Elements whose end tag may be left out (HTML §13.1.2.4); not counted, so "<p>a<p>b" is flat. */
const OPTIONAL_END = new Set([
  "p",
  "li",
  "dt",
  "dd",
  "option",
  "optgroup",
  "tr",
  "td",
  "th",
  "thead",
  "tbody",
  "tfoot",
  "colgroup",
  "rt",
  "rp",
  "html",
  "head",
  "body",
]);

/** Raw-text elements: their content is not markup, and (but for title) not text to show either. */
const RAW_TEXT = new Set(["script", "style", "textarea", "title", "xmp", "noscript"]);
const HIDDEN = new Set(["script", "style", "title", "head", "noscript"]);

/** Tags that start a new line of text. */
const BLOCK = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "br",
  "dd",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "table",
  "tr",
  "ul",
]);

interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  /** Index just after the tag's ">" (or the end of input). */
  end: number;
}

/** Reads the tag starting at `lt` ("<"); undefined when it is not one (a bare "<" is text). */
function readTag(html: string, lt: number): Tag | undefined {
  let i = lt + 1;
  const closing = html.charCodeAt(i) === 47; /* / */
  if (closing) i++;
  const start = i;
  while (i < html.length && isNameChar(html.charCodeAt(i), i === start)) i++;
  if (i === start) return undefined;
  const name = html.slice(start, i).toLowerCase();
  // Attribute values may hold ">", so the tag ends at the first ">" outside quotes.
  let quote = 0;
  for (; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 62 /* > */) {
      return { name, closing, selfClosing: html.charCodeAt(i - 1) === 47, end: i + 1 };
    }
  }
  return { name, closing, selfClosing: false, end: html.length };
}

function isNameChar(c: number, first: boolean): boolean {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return first ? letter : letter || (c >= 48 && c <= 57) || c === 45 || c === 58;
}

/** Where the markup construct at `lt` that is not a tag ends: comments, <!DOCTYPE>, <?…>. */
function skipSpecial(html: string, lt: number): number | undefined {
  if (html.startsWith("<!--", lt)) {
    const close = html.indexOf("-->", lt + 4);
    return close < 0 ? html.length : close + 3;
  }
  const c = html.charCodeAt(lt + 1);
  if (c === 33 /* ! */ || c === 63 /* ? */) {
    const close = html.indexOf(">", lt + 2);
    return close < 0 ? html.length : close + 1;
  }
  return undefined;
}

/** Index of the end tag closing raw text `name` from `from` on (case-insensitive), or the end. */
function rawTextEnd(html: string, lower: string, name: string, from: number): number {
  const at = lower.indexOf(`</${name}`, from);
  return at < 0 ? html.length : at;
}

/**
 * The deepest nesting of elements, counting only those that must be closed; stops counting at
 * `stopAt` (the caller's limit), so the answer is min(depth, stopAt) in one linear pass.
 */
export function htmlNestingDepth(html: string, stopAt = Number.POSITIVE_INFINITY): number {
  const lower = html.toLowerCase();
  let depth = 0;
  let max = 0;
  let i = html.indexOf("<");
  while (i >= 0 && i < html.length) {
    let next = skipSpecial(html, i);
    if (next === undefined) {
      const tag = readTag(html, i);
      if (!tag) next = i + 1;
      else {
        next = tag.end;
        if (!VOID.has(tag.name) && !OPTIONAL_END.has(tag.name) && !tag.selfClosing) {
          if (tag.closing) depth = Math.max(0, depth - 1);
          else {
            depth++;
            if (depth > max) max = depth;
            if (max >= stopAt) return stopAt;
          }
        }
        if (!tag.closing && RAW_TEXT.has(tag.name)) next = rawTextEnd(html, lower, tag.name, next);
      }
    }
    i = html.indexOf("<", next);
  }
  return max;
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  copy: "©",
  reg: "®",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  laquo: "«",
  raquo: "»",
  euro: "€",
};

/** Character references (HTML §13.1.4): numeric ones and the common named ones. */
function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g, (m, ref: string) => {
    if (ref.startsWith("#")) {
      const code =
        ref[1] === "x" || ref[1] === "X"
          ? Number.parseInt(ref.slice(2), 16)
          : Number.parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
        ? String.fromCodePoint(code)
        : "\uFFFD";
    }
    return ENTITIES[ref.toLowerCase()] ?? m;
  });
}

/**
 * The text of an HTML document with its tags dropped: block elements start new lines, table
 * cells are spaced, script/style/head are left out, character references are decoded and white
 * space is collapsed. Linear in the input however deep or broken the markup is.
 */
export function stripHtml(html: string): string {
  const lower = html.toLowerCase();
  const out: string[] = [];
  let hidden = 0;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    const textEnd = lt < 0 ? html.length : lt;
    if (textEnd > i && hidden === 0) out.push(decodeEntities(html.slice(i, textEnd)));
    if (lt < 0) break;
    let next = skipSpecial(html, lt);
    if (next === undefined) {
      const tag = readTag(html, lt);
      if (!tag) {
        if (hidden === 0) out.push("<");
        next = lt + 1;
      } else {
        next = tag.end;
        if (BLOCK.has(tag.name)) out.push("\n");
        else if (tag.name === "td" || tag.name === "th") out.push(" ");
        if (tag.name === "head") hidden = tag.closing ? 0 : 1;
        else if (!tag.closing && RAW_TEXT.has(tag.name)) {
          const end = rawTextEnd(html, lower, tag.name, next);
          if (!HIDDEN.has(tag.name) && hidden === 0)
            out.push(decodeEntities(html.slice(next, end)));
          next = end;
        }
      }
    }
    i = next;
  }
  return out
    .join("")
    .replace(/[ \t\f\v\u00a0]+/g, " ")
    .replace(/ ?\r?\n ?/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

// Lexical building blocks of the RFC 3261 §25.1 grammar: character classes as a lookup table,
// and index-based scanners (no regular expressions, so no backtracking on hostile input).

export const TOKEN = 1;
export const WORD = 2;
export const UNRESERVED = 4;
export const USER = 8;
export const PASSWORD = 16;
export const PARAM = 32;
export const HNV = 64;
export const URIC = 128;

const TABLE = new Uint8Array(128);

function mark(chars: string, flag: number): void {
  for (let i = 0; i < chars.length; i++) TABLE[chars.charCodeAt(i)]! |= flag;
}

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const MARK = "-_.!~*'()";
mark(ALNUM, TOKEN | WORD | UNRESERVED | USER | PASSWORD | PARAM | HNV | URIC);
mark("-.!%*_+`'~", TOKEN);
mark("-.!%*_+`'~()<>:\\\"/[]?{}", WORD);
mark(MARK, UNRESERVED | USER | PASSWORD | PARAM | HNV | URIC);
mark("&=+$,;?/", USER);
mark("&=+$,", PASSWORD);
mark("[]/:&+$", PARAM);
mark("[]/?:+$", HNV);
mark(";/?:@&=+$,%", URIC);

export function hasClass(code: number, flag: number): boolean {
  return code < 128 && (TABLE[code]! & flag) !== 0;
}

/** True when every character of a non-empty string is in the class. */
export function isAll(s: string, flag: number): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!hasClass(s.charCodeAt(i), flag)) return false;
  return true;
}

export function isToken(s: string): boolean {
  return isAll(s, TOKEN);
}

export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Index of the first character at or after `i` that is not SP or HTAB. */
export function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** `s` without leading and trailing SP/HTAB (String#trim would also eat NBSP and friends). */
export function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** End index of the run of `flag` characters starting at `i` (equal to `i` if none). */
export function scan(s: string, i: number, flag: number): number {
  while (i < s.length && hasClass(s.charCodeAt(i), flag)) i++;
  return i;
}

/**
 * `s[i]` must be DQUOTE. Returns the index just past the closing quote, or -1 when the string is
 * unterminated or a quoted-pair escapes CR/LF (RFC 3261 §25.1 quoted-pair).
 */
export function scanQuoted(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92) {
      const next = s.charCodeAt(j + 1);
      if (Number.isNaN(next) || next === 10 || next === 13) return -1;
      j++;
    } else if (c === 34) {
      return j + 1;
    }
  }
  return -1;
}

/** Content of the quoted string `s[start, end)` (quotes included) with quoted-pairs resolved. */
export function unquote(s: string, start: number, end: number): string {
  const inner = s.slice(start + 1, end - 1);
  if (inner.indexOf("\\") < 0) return inner;
  let out = "";
  for (let j = 0; j < inner.length; j++) {
    const c = inner[j]!;
    if (c === "\\" && j + 1 < inner.length) out += inner[++j]!;
    else out += c;
  }
  return out;
}

/**
 * Splits a `#element` header value at top-level commas: commas inside quoted strings or `<…>` do
 * not split. Elements are trimmed; empty elements are kept so that validation can reject them.
 */
export function splitList(value: string): string[] {
  if (value.indexOf(",") < 0) return [value];
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34 && !angle) {
      const end = scanQuoted(value, i);
      if (end < 0) break; // unterminated: the rest is one element, rejected later if parsed
      i = end - 1;
    } else if (c === 60) {
      angle = true;
    } else if (c === 62) {
      angle = false;
    } else if (c === 44 && !angle) {
      out.push(trimWs(value.slice(start, i)));
      start = i + 1;
    }
  }
  out.push(trimWs(value.slice(start)));
  return out;
}

/**
 * Reads `*( SEMI generic-param )` from `i` into `params` (RFC 3261 §25.1: token [EQUAL
 * (token / host / quoted-string)]). Returns the index after the last parameter, or -1 on error.
 */
export function scanParams(s: string, i: number, params: Map<string, string | null>): number {
  for (;;) {
    const semi = skipWs(s, i);
    if (s.charCodeAt(semi) !== 59) return i;
    const nameStart = skipWs(s, semi + 1);
    const nameEnd = scan(s, nameStart, TOKEN);
    if (nameEnd === nameStart) return -1;
    const name = s.slice(nameStart, nameEnd).toLowerCase();
    let j = skipWs(s, nameEnd);
    if (s.charCodeAt(j) !== 61) {
      params.set(name, null);
      i = nameEnd;
      continue;
    }
    j = skipWs(s, j + 1);
    const c = s.charCodeAt(j);
    let end: number;
    let value: string;
    if (c === 34) {
      end = scanQuoted(s, j);
      if (end < 0) return -1;
      value = unquote(s, j, end);
    } else if (c === 91) {
      end = s.indexOf("]", j);
      if (end < 0) return -1;
      end++;
      value = s.slice(j, end);
      if (!isIpv6Ref(value)) return -1;
    } else {
      end = scan(s, j, TOKEN);
      if (end === j) return -1;
      value = s.slice(j, end);
    }
    params.set(name, value);
    i = end;
  }
}

/** `[` IPv6address `]`, checked loosely: hex digits, colons and dots, at least one colon. */
export function isIpv6Ref(s: string): boolean {
  if (s.length < 4 || s[0] !== "[" || s[s.length - 1] !== "]") return false;
  let colons = 0;
  for (let i = 1; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) colons++;
    else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46))
      return false;
  }
  return colons >= 2;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Checks that `s` consists of `flag` characters and `%HH` escapes, and returns it decoded (escaped
 * octets read as UTF-8), or null when a character or escape is invalid.
 */
export function unescapeChecked(s: string, flag: number): string | null {
  let hasEscape = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      if (hexVal(s.charCodeAt(i + 1)) < 0 || hexVal(s.charCodeAt(i + 2)) < 0) return null;
      hasEscape = true;
      i += 2;
    } else if (!hasClass(c, flag)) {
      return null;
    }
  }
  if (!hasEscape) return s;
  const bytes = Buffer.allocUnsafe(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      bytes[n++] = hexVal(s.charCodeAt(i + 1)) * 16 + hexVal(s.charCodeAt(i + 2));
      i += 2;
    } else {
      bytes[n++] = c;
    }
  }
  return bytes.toString("utf8", 0, n);
}

// Digest and other challenge/credential headers (RFC 3261 §25.1 challenge/credentials, RFC 2617
// auth-param): `scheme 1*SP auth-param *(COMMA auth-param)`, with quoted-string escapes resolved.

import { scan, scanQuoted, skipWs, TOKEN, unquote } from "./syntax.ts";

export interface AuthParams {
  /** As written, e.g. "Digest"; compare case-insensitively. */
  scheme: string;
  /** Names lower-cased; quoted values unquoted and unescaped. */
  params: Map<string, string>;
}

/** For Authorization, Proxy-Authorization, WWW-Authenticate and Proxy-Authenticate values. */
export function parseAuthParams(value: string): AuthParams | null {
  let i = skipWs(value, 0);
  const schemeEnd = scan(value, i, TOKEN);
  if (schemeEnd === i) return null;
  const scheme = value.slice(i, schemeEnd);
  i = skipWs(value, schemeEnd);
  if (i === schemeEnd) return null;
  const params = new Map<string, string>();
  for (;;) {
    const nameEnd = scan(value, i, TOKEN);
    if (nameEnd === i) return null;
    const name = value.slice(i, nameEnd).toLowerCase();
    i = skipWs(value, nameEnd);
    if (value.charCodeAt(i) !== 61) return null;
    i = skipWs(value, i + 1);
    if (value.charCodeAt(i) === 34) {
      const end = scanQuoted(value, i);
      if (end < 0) return null;
      params.set(name, unquote(value, i, end));
      i = end;
    } else {
      const end = scan(value, i, TOKEN);
      if (end === i) return null;
      params.set(name, value.slice(i, end));
      i = end;
    }
    i = skipWs(value, i);
    if (i === value.length) return { scheme, params };
    if (value.charCodeAt(i) !== 44) return null;
    i = skipWs(value, i + 1);
  }
}

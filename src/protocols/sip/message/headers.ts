// An ordered multimap of header field values (RFC 3261 §7.3): one entry per value, in wire order,
// looked up by any spelling of the name (case-insensitive, compact or long form).

import { canonicalName, headerKey } from "./header-names.ts";

export interface HeaderEntry {
  /** Lower-case long form, e.g. "call-id" for "i" or "Call-ID". */
  readonly key: string;
  /** The name as received or as given by the caller. */
  readonly name: string;
  value: string;
}

export class SipHeaders implements Iterable<HeaderEntry> {
  // A flat array beats a Map here: messages carry ~10–30 entries and order must be kept.
  readonly #entries: HeaderEntry[] = [];

  get size(): number {
    return this.#entries.length;
  }

  /** Appends one value. The name is stored as given; `key` is its normalised form. */
  add(name: string, value: string): this {
    this.#entries.push({ key: headerKey(name), name, value });
    return this;
  }

  /** Appends an entry whose key the caller has already normalised (parser hot path). */
  addKeyed(key: string, name: string, value: string): void {
    this.#entries.push({ key, name, value });
  }

  /** Replaces every value of `name` with one value, kept at the position of the first. */
  set(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.#entries.findIndex((e) => e.key === key);
    this.delete(name);
    const entry = { key, name, value };
    if (at < 0) this.#entries.push(entry);
    else this.#entries.splice(at, 0, entry);
    return this;
  }

  /** First value, or undefined. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const e of this.#entries) if (e.key === key) return e.value;
    return undefined;
  }

  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const e of this.#entries) if (e.key === key) out.push(e.value);
    return out;
  }

  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const e of this.#entries) if (e.key === key) n++;
    return n;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.#entries.some((e) => e.key === key);
  }

  /** Removes every value of `name`; returns how many were removed. */
  delete(name: string): number {
    const key = headerKey(name);
    const before = this.#entries.length;
    let w = 0;
    for (const e of this.#entries) if (e.key !== key) this.#entries[w++] = e;
    this.#entries.length = w;
    return before - w;
  }

  /** Inserts a value before all others of its name (a proxy pushing its Via, RFC 3261 §16.6). */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.#entries.findIndex((e) => e.key === key);
    const entry = { key, name, value };
    if (at < 0) this.#entries.push(entry);
    else this.#entries.splice(at, 0, entry);
    return this;
  }

  [Symbol.iterator](): Iterator<HeaderEntry> {
    return this.#entries[Symbol.iterator]();
  }

  clone(): SipHeaders {
    const copy = new SipHeaders();
    for (const e of this.#entries) copy.addKeyed(e.key, e.name, e.value);
    return copy;
  }

  /** Name/value pairs with canonical names, for logs and tests. */
  toJSON(): Array<[string, string]> {
    return this.#entries.map((e) => [canonicalName(e.key, e.name), e.value]);
  }
}

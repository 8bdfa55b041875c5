// Conversions between domain values and column values: Dates are epoch milliseconds in both
// dialects, booleans 0/1, and a Communication is JSON whose Dates travel as ISO strings.

import type { Communication } from "../core/communication.ts";

export function toMs(d: Date): number {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new RangeError("store: invalid Date");
  return ms;
}

export function fromMs(ms: number | string): Date {
  // pg hands back int8 as number (open.ts sets the parser); Number() also covers a string.
  return new Date(Number(ms));
}

export function optionalMs(d: Date | undefined): number | null {
  return d === undefined ? null : toMs(d);
}

export function optionalDate(ms: number | string | null): Date | undefined {
  return ms === null ? undefined : fromMs(ms);
}

/** null from a column becomes an absent field in the domain object. */
export function optional<T>(v: T | null): T | undefined {
  return v === null ? undefined : v;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * Dates in a stored communication are revived by field name — `at` or anything ending in `At`
 * (receivedAt, lastCaller.at) — so a subject that happens to look like a date stays a string.
 */
function reviveDates(key: string, value: unknown): unknown {
  if (typeof value === "string" && (key === "at" || key.endsWith("At")) && ISO_DATE.test(value)) {
    return new Date(value);
  }
  return value;
}

export function encodeCommunication(c: Communication): string {
  return JSON.stringify(c);
}

export function decodeCommunication(json: string): Communication {
  return JSON.parse(json, reviveDates) as Communication;
}

/** The scheme of a canonical target address: `mailto` for `mailto:a@b`. */
export function schemeOf(target: string): string {
  const colon = target.indexOf(":");
  return colon < 0 ? target : target.slice(0, colon);
}

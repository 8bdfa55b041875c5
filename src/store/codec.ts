// Conversions between domain values and column values: Dates are epoch milliseconds in both
// dialects, booleans 0/1, a Communication is JSON whose Dates travel as ISO strings, and a
// delivery's route options are JSON checked against their shape when read back.

import { z } from "zod";
import type { Communication } from "../core/communication.ts";
import { AUDIO_FORMATS } from "../core/profile.ts";
import type { RouteOptions } from "../core/routing.ts";

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

/** The route options a delivery row keeps; unknown keys from a later version are dropped. */
const routeOptionsColumn = z.object({
  transcribe: z.boolean().optional(),
  audioFormat: z.enum(AUDIO_FORMATS).optional(),
  voice: z.string().optional(),
  language: z.string().optional(),
});

export function encodeRouteOptions(options: RouteOptions | undefined): string | null {
  return options === undefined ? null : JSON.stringify(options);
}

export function decodeRouteOptions(json: string | null): RouteOptions | undefined {
  if (json === null) return undefined;
  const parsed = routeOptionsColumn.parse(JSON.parse(json));
  const options: RouteOptions = {};
  if (parsed.transcribe !== undefined) options.transcribe = parsed.transcribe;
  if (parsed.audioFormat !== undefined) options.audioFormat = parsed.audioFormat;
  if (parsed.voice !== undefined) options.voice = parsed.voice;
  if (parsed.language !== undefined) options.language = parsed.language;
  return options;
}

/** The recording a communication names, for its audio_id column. */
export function audioIdOf(c: Communication): string | null {
  return "audioId" in c.body ? c.body.audioId : null;
}

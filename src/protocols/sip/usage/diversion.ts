// The Diversion header (RFC 5806 §3): the station a call was diverted from, which a legacy
// voicemail box files a deposit under.

import { ValidationError } from "../../../core/errors.ts";
import type { Diversion } from "../../../core/telephony.ts";

const STATION = /^\+?[0-9A-Za-z*#._-]{1,32}$/;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;

/** Whether `user` can stand as the user part of a station URI (a number, an extension). */
export function isStation(user: string): boolean {
  return STATION.test(user);
}

/** `<sip:2001@pbx.example>;reason=no-answer;counter=1` (RFC 5806 §3). */
export function diversionHeader(d: Diversion): string {
  if (!STATION.test(d.station))
    throw new ValidationError("diversion.station", `"${d.station}" is not a station number`);
  if (!HOST.test(d.host)) throw new ValidationError("diversion.host", `"${d.host}" is not a host`);
  return `<sip:${d.station}@${d.host}>;reason=${d.reason ?? "no-answer"};counter=1`;
}

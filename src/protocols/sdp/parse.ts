// SDP parser (RFC 4566 §5): line grammar, session and media sections, and the attributes offer/answer
// needs (rtpmap, fmtp, ptime, direction, rtcp). Bad input gives an error value, never a throw.
import {
  fail,
  parseAttribute,
  parseConnection,
  parseMedia,
  parseOrigin,
  parseTiming,
} from "./fields.ts";
import {
  DEFAULT_SDP_LIMITS,
  DIRECTIONS,
  type Direction,
  type Fmtp,
  type MediaDescription,
  type Origin,
  type ParseResult,
  type Rtcp,
  type RtpMap,
  type SdpLimits,
  type SessionDescription,
} from "./types.ts";

const RTPMAP = /^(\d{1,3}) +([^\s/]+)\/(\d{1,9})(?:\/(\d{1,3}))? *$/;
const FMTP = /^(\d{1,3}) +(\S.*)$/;
const PTIME = /^\d{1,5}(?:\.\d{1,3})?$/;
const RTCP = /^(\d{1,5})(?: +IN +(IP4|IP6) +(\S+))? *$/;
// RFC 4566 §5: text fields exclude NUL, CR and LF; a lone CR inside a line is not a line break.
const FORBIDDEN = /[\0\r\n]/;
// Types that belong to the session section only (RFC 4566 §5 ordering).
const SESSION_ONLY = "vosueptrz";

/** Decodes the body, or null when it is over the byte limit (checked before any copy). */
function decode(input: string | Uint8Array, maxBytes: number): string | null {
  if (typeof input !== "string") {
    return input.byteLength > maxBytes ? null : new TextDecoder().decode(input);
  }
  // Every UTF-16 unit is at least one UTF-8 byte, so the cheap length test comes first.
  if (input.length > maxBytes || Buffer.byteLength(input, "utf8") > maxBytes) return null;
  return input;
}

function parseRtpmap(value: string): RtpMap | null {
  const r = RTPMAP.exec(value);
  if (!r) return null;
  const payloadType = Number(r[1]);
  const clockRate = Number(r[3]);
  const channels = r[4] === undefined ? undefined : Number(r[4]);
  if (payloadType > 127 || clockRate === 0 || channels === 0) return null;
  const map: RtpMap = { payloadType, encoding: r[2]!, clockRate };
  if (channels !== undefined) map.channels = channels;
  return map;
}

function parseFmtp(value: string): Fmtp | null {
  const r = FMTP.exec(value);
  if (!r || Number(r[1]) > 127) return null;
  return { payloadType: Number(r[1]), params: r[2]!.trim() };
}

function parseRtcp(value: string): Rtcp | null {
  const r = RTCP.exec(value);
  if (!r || Number(r[1]) > 65535) return null;
  if (r[2] === undefined) return { port: Number(r[1]) };
  const c = parseConnection(`IN ${r[2]} ${r[3]}`);
  return c.ok ? { port: Number(r[1]), connection: c.value } : null;
}

function asDirection(name: string, value: string | undefined): Direction | null {
  return value === undefined && (DIRECTIONS as readonly string[]).includes(name)
    ? (name as Direction)
    : null;
}

/**
 * Interprets the attributes the negotiation needs. A malformed or repeated one is not fatal: RFC
 * 4566 §5.13 lets a receiver ignore attributes it cannot use, so it is kept raw or dropped.
 */
function applyMediaAttribute(m: MediaDescription, name: string, value: string | undefined): void {
  const direction = asDirection(name, value);
  if (direction !== null) {
    m.direction ??= direction;
    return;
  }
  if (value !== undefined) {
    if (name === "rtpmap") {
      const map = parseRtpmap(value);
      if (map !== null) {
        if (!m.rtpmap.some((x) => x.payloadType === map.payloadType)) m.rtpmap.push(map);
        return;
      }
    } else if (name === "fmtp") {
      const fmtp = parseFmtp(value);
      if (fmtp !== null) {
        if (!m.fmtp.some((x) => x.payloadType === fmtp.payloadType)) m.fmtp.push(fmtp);
        return;
      }
    } else if (name === "ptime" && PTIME.test(value) && Number(value) > 0) {
      m.ptime ??= Number(value);
      return;
    } else if (name === "rtcp") {
      const rtcp = parseRtcp(value);
      if (rtcp !== null) {
        m.rtcp ??= rtcp;
        return;
      }
    }
  }
  m.attributes.push(value === undefined ? { name } : { name, value });
}

/** Parses an SDP body; LF-only line ends are accepted too (RFC 4566 §5 asks parsers to). */
export function parseSdp(
  input: string | Uint8Array,
  limits: Partial<SdpLimits> = {},
): ParseResult<SessionDescription> {
  const lim = { ...DEFAULT_SDP_LIMITS, ...limits };
  const text = decode(input, lim.maxBytes);
  if (text === null) return fail(`too large (over ${lim.maxBytes} bytes)`);
  const lines = text.split("\n");
  if (lines.length > lim.maxLines + 1) return fail(`too many lines (over ${lim.maxLines})`);

  let seenVersion = false;
  let origin: Origin | undefined;
  let sessionName: string | undefined;
  const session: Omit<SessionDescription, "origin" | "sessionName"> = {
    timing: [],
    attributes: [],
    other: [],
    media: [],
  };
  let current: MediaDescription | null = null;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "") continue;
    const where = `line ${i + 1}`;
    if (line.length > lim.maxLineLength) return fail(`${where}: longer than ${lim.maxLineLength}`);
    if (FORBIDDEN.test(line)) return fail(`${where}: NUL or CR inside a line`);
    const type = line[0]!;
    if (line[1] !== "=" || type < "a" || type > "z") return fail(`${where}: not <type>=<value>`);
    const value = line.slice(2);
    if (!seenVersion && type !== "v") return fail(`${where}: SDP must start with v=`);
    if (current !== null && SESSION_ONLY.includes(type)) {
      return fail(`${where}: ${type}= is not allowed after m=`);
    }
    const err = (e: string) => fail(`${where}: ${e}`);

    switch (type) {
      case "v":
        if (seenVersion) return err("repeated v=");
        if (value !== "0") return err(`unsupported version "${value}"`);
        seenVersion = true;
        break;
      case "o": {
        if (origin !== undefined) return err("repeated o=");
        const o = parseOrigin(value);
        if (!o.ok) return err(o.error);
        origin = o.value;
        break;
      }
      case "s":
        if (sessionName !== undefined) return err("repeated s=");
        sessionName = value;
        break;
      case "t": {
        const t = parseTiming(value);
        if (!t.ok) return err(t.error);
        session.timing.push(t.value);
        break;
      }
      case "c": {
        const c = parseConnection(value);
        if (!c.ok) return err(c.error);
        const target = current ?? session;
        if (target.connection !== undefined) return err("repeated c=");
        target.connection = c.value;
        break;
      }
      case "m": {
        if (origin === undefined || sessionName === undefined) return err("m= before o= and s=");
        if (session.media.length >= lim.maxMedia) return err(`more than ${lim.maxMedia} m= lines`);
        const m = parseMedia(value);
        if (!m.ok) return err(m.error);
        current = m.value;
        session.media.push(current);
        break;
      }
      case "a": {
        const a = parseAttribute(value);
        if (!a.ok) return err(a.error);
        const { name, value: v } = a.value;
        if (current !== null) {
          applyMediaAttribute(current, name, v);
        } else {
          const direction = asDirection(name, v);
          if (direction !== null) session.direction ??= direction;
          else session.attributes.push(a.value);
        }
        break;
      }
      default:
        (current ?? session).other.push({ type, value });
    }
  }

  if (!seenVersion) return fail("empty SDP");
  if (origin === undefined) return fail("missing o=");
  if (sessionName === undefined) return fail("missing s=");
  return { ok: true, value: { origin, sessionName, ...session } };
}

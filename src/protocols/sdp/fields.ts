// Parsers for the values of SDP's structural lines (RFC 4566 §5.2–5.14: o=, c=, t=, m=, a=), each
// returning an error value for the caller to prefix with the line number.
import { isIPv4, isIPv6 } from "node:net";
import type {
  AddrType,
  Attribute,
  Connection,
  MediaDescription,
  Origin,
  ParseResult,
  Timing,
} from "./types.ts";

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
const HOST_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOSTNAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*\\.?$`);
const PROTO = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;

export function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

function validAddress(addrType: AddrType, address: string): boolean {
  if (addrType === "IP6") return isIPv6(address) || HOSTNAME.test(address);
  // An all-numeric name would be a bad IPv4 literal, not a host name.
  return /^[\d.]+$/.test(address) ? isIPv4(address) : HOSTNAME.test(address);
}

function parseAddrType(value: string | undefined): AddrType | null {
  return value === "IP4" || value === "IP6" ? value : null;
}

function fields(value: string): string[] {
  return value.trim().split(/ +/);
}

export function parseOrigin(value: string): ParseResult<Origin> {
  const f = fields(value);
  if (f.length !== 6) return fail("o= needs 6 fields");
  const [username, sessionId, sessionVersion, netType, addr, address] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const addrType = parseAddrType(addr);
  if (netType !== "IN" || addrType === null) return fail("o= network/address type not IN IP4|IP6");
  if (!/^\d{1,20}$/.test(sessionId) || !/^\d{1,20}$/.test(sessionVersion)) {
    return fail("o= session id/version not numeric");
  }
  if (!validAddress(addrType, address)) return fail(`o= bad address "${address}"`);
  return { ok: true, value: { username, sessionId, sessionVersion, addrType, address } };
}

export function parseConnection(value: string): ParseResult<Connection> {
  const f = fields(value);
  const addrType = parseAddrType(f[1]);
  if (f.length !== 3 || f[0] !== "IN" || addrType === null) return fail("c= not IN IP4|IP6 <addr>");
  const raw = f[2]!;
  const slash = raw.indexOf("/");
  const address = slash < 0 ? raw : raw.slice(0, slash);
  const suffix = slash < 0 ? undefined : raw.slice(slash + 1);
  if (!validAddress(addrType, address)) return fail(`c= bad address "${address}"`);
  if (suffix !== undefined && !/^\d{1,5}(?:\/\d{1,5})?$/.test(suffix)) return fail("c= bad ttl");
  return {
    ok: true,
    value: suffix === undefined ? { addrType, address } : { addrType, address, suffix },
  };
}

export function parseTiming(value: string): ParseResult<Timing> {
  const f = fields(value);
  if (f.length !== 2 || !f.every((x) => /^\d{1,20}$/.test(x))) return fail("t= needs two numbers");
  return { ok: true, value: { start: f[0]!, stop: f[1]! } };
}

export function parseMedia(value: string): ParseResult<MediaDescription> {
  const f = fields(value);
  if (f.length < 4) return fail("m= needs media, port, proto and formats");
  const [media, portField, proto] = f as [string, string, string];
  const ports = /^(\d{1,5})(?:\/(\d{1,5}))?$/.exec(portField);
  const port = ports ? Number(ports[1]) : -1;
  const portCount = ports?.[2] === undefined ? undefined : Number(ports[2]);
  if (!TOKEN.test(media)) return fail("m= bad media type");
  if (port < 0 || port > 65535 || portCount === 0) return fail(`m= bad port "${portField}"`);
  if (!PROTO.test(proto)) return fail("m= bad transport");
  const formats = f.slice(3);
  const rtp = proto.toUpperCase().includes("RTP/");
  for (const fmt of formats) {
    // RTP profiles name formats by payload type, which is 7 bits (RFC 3550 §5.1).
    const bad = rtp ? !/^\d{1,3}$/.test(fmt) || Number(fmt) > 127 : !TOKEN.test(fmt);
    if (bad) return fail(`m= bad format "${fmt}"`);
  }
  const m: MediaDescription = {
    media,
    port,
    proto,
    formats,
    rtpmap: [],
    fmtp: [],
    attributes: [],
    other: [],
  };
  if (portCount !== undefined) m.portCount = portCount;
  return { ok: true, value: m };
}

export function parseAttribute(value: string): ParseResult<Attribute> {
  const colon = value.indexOf(":");
  const name = colon < 0 ? value : value.slice(0, colon);
  if (!TOKEN.test(name)) return fail("a= bad attribute name");
  return { ok: true, value: colon < 0 ? { name } : { name, value: value.slice(colon + 1) } };
}

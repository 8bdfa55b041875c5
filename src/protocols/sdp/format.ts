// SDP writer (RFC 4566 §5): CRLF lines in the order the RFC fixes, so that what parseSdp read
// formats back to an equivalent body and strict peers accept what we send.
import type { Connection, MediaDescription, OtherLine, SessionDescription } from "./types.ts";

// Where the uninterpreted line types go, relative to the ones we model (RFC 4566 §5 order).
const SESSION_BEFORE_C = "iuep";
const MEDIA_BEFORE_C = "i";
const KNOWN_OTHER = "iuepbrzk";

function connectionValue(c: Connection): string {
  return `IN ${c.addrType} ${c.address}${c.suffix === undefined ? "" : `/${c.suffix}`}`;
}

function pick(list: readonly OtherLine[], types: string | null): OtherLine[] {
  return list.filter((l) =>
    types === null ? !KNOWN_OTHER.includes(l.type) : types.includes(l.type),
  );
}

class Lines {
  readonly out: string[] = [];

  add(type: string, value: string): void {
    // A CR or LF inside a value would forge extra lines on the wire.
    if (/[\0\r\n]/.test(value)) throw new RangeError(`SDP ${type}= value contains NUL, CR or LF`);
    this.out.push(`${type}=${value}`);
  }

  addOther(list: readonly OtherLine[]): void {
    for (const l of list) this.add(l.type, l.value);
  }
}

function formatMedia(lines: Lines, m: MediaDescription): void {
  const port = m.portCount === undefined ? `${m.port}` : `${m.port}/${m.portCount}`;
  lines.add("m", `${m.media} ${port} ${m.proto} ${m.formats.join(" ")}`);
  lines.addOther(pick(m.other, MEDIA_BEFORE_C));
  if (m.connection !== undefined) lines.add("c", connectionValue(m.connection));
  lines.addOther(pick(m.other, "b"));
  lines.addOther(pick(m.other, "k"));
  lines.addOther(pick(m.other, null));
  // rtpmap and fmtp follow the format list so a reader sees them in preference order.
  const order = (pt: number) => {
    const i = m.formats.indexOf(String(pt));
    return i < 0 ? m.formats.length : i;
  };
  const rtpmaps = [...m.rtpmap].sort((a, b) => order(a.payloadType) - order(b.payloadType));
  const fmtps = [...m.fmtp];
  for (const r of rtpmaps) {
    const channels = r.channels === undefined ? "" : `/${r.channels}`;
    lines.add("a", `rtpmap:${r.payloadType} ${r.encoding}/${r.clockRate}${channels}`);
    const i = fmtps.findIndex((f) => f.payloadType === r.payloadType);
    if (i >= 0) lines.add("a", `fmtp:${r.payloadType} ${fmtps.splice(i, 1)[0]!.params}`);
  }
  for (const f of fmtps) lines.add("a", `fmtp:${f.payloadType} ${f.params}`);
  if (m.ptime !== undefined) lines.add("a", `ptime:${m.ptime}`);
  if (m.rtcp !== undefined) {
    const c = m.rtcp.connection;
    lines.add("a", `rtcp:${m.rtcp.port}${c === undefined ? "" : ` ${connectionValue(c)}`}`);
  }
  if (m.direction !== undefined) lines.add("a", m.direction);
  for (const a of m.attributes)
    lines.add("a", a.value === undefined ? a.name : `${a.name}:${a.value}`);
}

/** Writes a session description with CRLF line ends; throws RangeError on a value holding CR/LF. */
export function formatSdp(desc: SessionDescription): string {
  const lines = new Lines();
  const o = desc.origin;
  lines.add("v", "0");
  lines.add("o", `${o.username} ${o.sessionId} ${o.sessionVersion} IN ${o.addrType} ${o.address}`);
  // RFC 4566 §5.3: a session without a name uses a single space, never an empty s=.
  lines.add("s", desc.sessionName === "" ? " " : desc.sessionName);
  lines.addOther(pick(desc.other, SESSION_BEFORE_C));
  if (desc.connection !== undefined) lines.add("c", connectionValue(desc.connection));
  lines.addOther(pick(desc.other, "b"));
  const timing = desc.timing.length > 0 ? desc.timing : [{ start: "0", stop: "0" }];
  for (const t of timing) lines.add("t", `${t.start} ${t.stop}`);
  lines.addOther(pick(desc.other, "rzk"));
  lines.addOther(pick(desc.other, null));
  if (desc.direction !== undefined) lines.add("a", desc.direction);
  for (const a of desc.attributes)
    lines.add("a", a.value === undefined ? a.name : `${a.name}:${a.value}`);
  for (const m of desc.media) formatMedia(lines, m);
  return `${lines.out.join("\r\n")}\r\n`;
}

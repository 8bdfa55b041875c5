// Structural checks of a MIME message (RFC 2045 §6, RFC 2046 §5.1) that a lenient parser passes
// over: unclosed multipart boundaries, bad base64 or quoted-printable, encodings a multipart may
// not have. The mail is still delivered; these become its warnings (docs/architecture.md "Bad input
// and faults").

const MAX_DEPTH = 8;
const MAX_WARNINGS = 5;

interface Headers {
  contentType: string;
  boundary?: string;
  encoding: string;
}

function splitHead(entity: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(entity);
  if (!m) return { head: entity, body: "" };
  return { head: entity.slice(0, m.index), body: entity.slice(m.index + m[0].length) };
}

function readHeaders(head: string): Headers {
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const field = (name: string) =>
    new RegExp(`^${name}:[ \\t]*(.*)$`, "im").exec(unfolded)?.[1]?.trim() ?? "";
  const contentType = field("content-type").toLowerCase() || "text/plain";
  const boundary = /boundary=(?:"([^"]*)"|([^;\s]+))/i.exec(field("content-type"));
  const headers: Headers = {
    contentType,
    encoding: field("content-transfer-encoding").toLowerCase() || "7bit",
  };
  const value = boundary?.[1] ?? boundary?.[2];
  if (value) headers.boundary = value;
  return headers;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function lintEntity(entity: string, path: string, depth: number, out: string[]): void {
  if (out.length >= MAX_WARNINGS) return;
  const { head, body } = splitHead(entity);
  const h = readHeaders(head);
  const where = path || "message";
  if (h.contentType.startsWith("multipart/")) {
    if (!["7bit", "8bit", "binary"].includes(h.encoding)) {
      out.push(`${where}: a multipart may not be ${h.encoding}-encoded`);
    }
    if (!h.boundary) {
      out.push(`${where}: multipart without a boundary`);
      return;
    }
    const delimiter = new RegExp(
      `(?:^|\\r?\\n)--${escapeRegExp(h.boundary)}(--)?[ \\t]*(?=\\r?\\n|$)`,
      "g",
    );
    const marks = [...body.matchAll(delimiter)];
    if (marks.length === 0) {
      out.push(`${where}: boundary "${h.boundary}" never appears`);
      return;
    }
    if (!marks.some((m) => m[1] === "--"))
      out.push(`${where}: boundary "${h.boundary}" is never closed`);
    if (depth >= MAX_DEPTH) return;
    for (let i = 0; i < marks.length; i++) {
      const mark = marks[i]!;
      if (mark[1] === "--") break;
      const start = (mark.index ?? 0) + mark[0].length;
      const end = marks[i + 1]?.index ?? body.length;
      lintEntity(
        body
          .slice(start)
          .slice(0, end - start)
          .replace(/^\r?\n/, ""),
        `${where}/part ${i + 1}`,
        depth + 1,
        out,
      );
    }
    return;
  }
  if (h.encoding === "base64") {
    const data = body.replace(/[\r\n \t]/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0)
      out.push(`${where}: invalid base64`);
  } else if (h.encoding === "quoted-printable") {
    if (/=(?![0-9A-Fa-f]{2}|\r?\n|[ \t]*$)/m.test(body))
      out.push(`${where}: invalid quoted-printable escape`);
  } else if (!["7bit", "8bit", "binary"].includes(h.encoding)) {
    out.push(`${where}: unknown transfer encoding "${h.encoding}"`);
  }
}

/** Warnings for a raw message, each prefixed "malformed MIME:"; empty when it is well formed. */
export function lintMime(raw: Buffer): string[] {
  const out: string[] = [];
  // latin1 keeps every byte as one character, so positions and non-UTF-8 bytes survive.
  lintEntity(raw.toString("latin1"), "", 0, out);
  return out.slice(0, MAX_WARNINGS).map((w) => `malformed MIME: ${w}`);
}

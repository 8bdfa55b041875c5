// Sends an audio blob as an HTTP response with its type and length, honouring a single byte
// range (RFC 9110 §14) so that browsers' <audio> elements can seek. Several ranges, or one we
// cannot read, are ignored and the whole blob is sent, as §14.2 allows.

import type { FastifyReply, FastifyRequest } from "fastify";

export interface AudioBlob {
  data: Uint8Array;
  contentType: string;
}

/** Inclusive byte positions, or "unsatisfiable", or undefined to send everything. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | "unsatisfiable" | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  const [first, last] = [m[1] ?? "", m[2] ?? ""];
  if (first === "") {
    // A suffix range: the last N bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

export function sendAudio(
  request: FastifyRequest,
  reply: FastifyReply,
  blob: AudioBlob,
): FastifyReply {
  const bytes = Buffer.from(blob.data.buffer, blob.data.byteOffset, blob.data.byteLength);
  const size = bytes.byteLength;
  reply.header("accept-ranges", "bytes").header("content-type", blob.contentType);
  // Signed links are capabilities: shared caches must not keep what they serve.
  reply.header("cache-control", "private, max-age=300");
  const range = parseRange(request.headers.range, size);
  if (range === "unsatisfiable") {
    return reply.code(416).header("content-range", `bytes */${size}`).send();
  }
  if (range === undefined) {
    return reply.header("content-length", size).send(bytes);
  }
  const part = bytes.subarray(range.start, range.end + 1);
  return reply
    .code(206)
    .header("content-range", `bytes ${range.start}-${range.end}/${size}`)
    .header("content-length", part.byteLength)
    .send(part);
}

// Reads a DATA stream into one buffer with a hard cap, so a peer can never make us hold more than
// the configured message size; the rest is drained so the SMTP dialogue can go on.

import type { Readable } from "node:stream";

export interface BoundedRead {
  buffer: Buffer;
  /** Bytes the stream carried, kept or not. */
  bytes: number;
  /** True when more than `maxBytes` arrived; `buffer` then holds only the first `maxBytes`. */
  overflow: boolean;
}

export function readBounded(stream: Readable, maxBytes: number): Promise<BoundedRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let bytes = 0;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      const room = maxBytes - kept;
      if (room <= 0) return;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(part);
      kept += part.length;
    };
    const cleanup = () => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onClose);
    };
    const onEnd = () => {
      cleanup();
      resolve({ buffer: Buffer.concat(chunks, kept), bytes, overflow: bytes > maxBytes });
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    // A peer that hangs up mid-DATA closes the stream without 'end'.
    const onClose = () => {
      cleanup();
      reject(new Error("DATA stream closed before the end of the message"));
    };
    stream.on("data", onData);
    stream.once("end", onEnd);
    stream.once("error", onError);
    stream.once("close", onClose);
  });
}

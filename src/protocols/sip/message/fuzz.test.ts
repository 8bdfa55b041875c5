// Mutation fuzzing of the parser and framer from the accepted RFC 4475 fixtures: 100 000 seeded
// mutants must never throw, never hit the internal-error path, and leave the heap flat.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { prng } from "../../../../test/support/prng.ts";
import { parseMessage } from "./parser.ts";
import { serializeMessage } from "./serializer.ts";
import { SipStreamFramer } from "./stream-framer.ts";

const dir = new URL("../../../../test/fixtures/rfc4475/", import.meta.url);
const ITERATIONS = 100_000;
const SEED = 0x5eed4475;

// Bytes that matter to the grammar are tried far more often than random ones.
const SPECIAL = Buffer.from('\r\n \t:;,="<>@%\\/?[]0\x00\xff\xc3');

function mutate(src: Buffer, rnd: () => number): Buffer {
  const pick = (n: number) => Math.floor(rnd() * n);
  const byte = () => (rnd() < 0.7 ? SPECIAL[pick(SPECIAL.length)]! : pick(256));
  let buf = Buffer.from(src);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds && buf.length > 0; r++) {
    const at = pick(buf.length);
    switch (pick(6)) {
      case 0: // flip
        buf[at] = byte();
        break;
      case 1: // insert a run
        buf = Buffer.concat([
          buf.subarray(0, at),
          Buffer.from(Array.from({ length: 1 + pick(4) }, byte)),
          buf.subarray(at),
        ]);
        break;
      case 2: // delete a run
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1 + pick(8))]);
        break;
      case 3: // truncate
        buf = buf.subarray(0, at);
        break;
      case 4: {
        // duplicate a whole header line elsewhere in the header section
        const start = buf.lastIndexOf(10, at) + 1;
        const end = buf.indexOf(10, at);
        if (end < 0) break;
        const line = buf.subarray(start, end + 1);
        const into = buf.indexOf(10, pick(buf.length)) + 1;
        buf = Buffer.concat([buf.subarray(0, into), line, buf.subarray(into)]);
        break;
      }
      default: {
        // repeat a slice many times, to stress limits and list splitting
        const slice = buf.subarray(at, at + 1 + pick(16));
        buf = Buffer.concat([
          buf.subarray(0, at),
          ...Array(1 + pick(64)).fill(slice),
          buf.subarray(at),
        ]);
      }
    }
  }
  return buf;
}

function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    return typeof gc === "function" ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

test(`${ITERATIONS} mutants: no exception, no internal error, flat heap`, (t) => {
  const seeds = readdirSync(dir)
    .filter((f) => f.endsWith(".sip"))
    .map((f) => readFileSync(new URL(f, dir)))
    .filter((b) => parseMessage(b).ok);
  assert.ok(seeds.length >= 29);
  const gc = exposeGc();
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rnd = prng(SEED);
  let accepted = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(seeds[i % seeds.length]!, rnd);
    const stream = (i & 7) === 0;
    const result = parseMessage(input, stream ? { requireContentLength: true } : undefined);
    if (!result.ok) {
      assert.ok(!result.error.startsWith("internal"), `mutant ${i}: ${result.error}`);
      continue;
    }
    accepted++;
    // What we accept we must be able to write back out and read again.
    if ((i & 15) === 0) {
      const again = parseMessage(serializeMessage(result.message));
      assert.ok(again.ok, `mutant ${i} did not survive a round trip`);
    }
    if (stream) {
      const batch = new SipStreamFramer().push(input);
      assert.ok(batch.error === undefined || typeof batch.error === "string");
    }
  }
  gc?.();
  const grown = process.memoryUsage().heapUsed - heapBefore;
  t.diagnostic(`accepted ${accepted} of ${ITERATIONS}; heap grew ${(grown / 1e6).toFixed(1)} MB`);
  assert.ok(accepted > 0 && accepted < ITERATIONS, "mutations both pass and fail");
  if (gc) assert.ok(grown < 50e6, `heap grew by ${grown} bytes`);
  else t.diagnostic("gc not available: heap check skipped");
});

test("the framer survives random chunkings of mutated streams", () => {
  const seeds = readdirSync(dir)
    .filter((f) => f.endsWith(".sip"))
    .map((f) => readFileSync(new URL(f, dir)));
  const rnd = prng(SEED ^ 1);
  for (let i = 0; i < 2000; i++) {
    const stream = Buffer.concat([
      mutate(seeds[i % seeds.length]!, rnd),
      seeds[(i + 1) % seeds.length]!,
    ]);
    const framer = new SipStreamFramer();
    let at = 0;
    while (at < stream.length) {
      const n = 1 + Math.floor(rnd() * 300);
      const batch = framer.push(stream.subarray(at, at + n));
      for (const m of batch.messages) assert.ok(m.length > 0);
      if (batch.error) break;
      at += n;
    }
    assert.ok(framer.buffered <= 64 * 1024);
  }
});

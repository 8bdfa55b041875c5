// Shared by the ICW interop tests: omnivox with alice and her web client, the caller's audio as
// raw µ-law for sipp, and a UDP socket standing in for a phone's RTP port (RFC 3550/3551).

import { createSocket, type Socket } from "node:dgram";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ConfigInput } from "../../src/config/schema.ts";
import { decodeAlaw, decodeUlaw, encodeUlaw } from "../../src/media/g711.ts";
import { generateSweep, rms } from "../../src/media/pcm.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { connectWebClient, type TestWebClient } from "../support/web-client.ts";

export interface IcwApp {
  t: TestApp;
  token: string;
  client: TestWebClient;
}

/** omnivox with ICW on, alice (+15550001) and her web client connected. */
export async function startIcwApp(icw: ConfigInput["icw"], smtpOutPort?: number): Promise<IcwApp> {
  const t = await startTestApp({
    sip: { listen: "127.0.0.1:0" },
    icw,
    ...(smtpOutPort ? { smtpOutPort } : {}),
  });
  await t.addUser({
    id: "alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
  });
  const token = await t.login("alice", "wonderland");
  const client = await connectWebClient(t.app.ports.http!.port, token);
  return { t, token, client };
}

/** A sweep as raw µ-law (what sipp's rtp_stream sends), written to `dir`; returns the path. */
export async function callerAudio(dir: string, ms: number): Promise<string> {
  const pcm = generateSweep(300, 3000, ms, 8000, 0.5);
  const ulaw = new Uint8Array(pcm.length);
  encodeUlaw(pcm, ulaw);
  const file = join(dir, `caller-${ms}.ulaw`);
  await writeFile(file, ulaw);
  return file;
}

/** Frames quieter than this RMS are silence (the line's idle noise and G.711 zero). */
export const VOICED_RMS = 300;

export interface RtpProbe {
  port: number;
  /** RMS of each G.711 packet received, in arrival order. */
  levels: number[];
  voiced(): number;
  /** Resolves once `count` voiced packets have arrived (rejects after `timeoutMs`). */
  waitVoiced(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A UDP socket that decodes the G.711 RTP sent to it (RFC 3550 header, RFC 3551 PT 0/8). */
export async function rtpProbe(): Promise<RtpProbe> {
  const socket: Socket = createSocket("udp4");
  const levels: number[] = [];
  const waiters = new Set<() => void>();
  const pcm = new Int16Array(960);
  socket.on("message", (msg) => {
    if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
    const pt = msg[1]! & 0x7f;
    if (pt !== 0 && pt !== 8) return;
    let offset = 12 + 4 * (msg[0]! & 0x0f);
    if (msg[0]! & 0x10) offset += 4 + 4 * msg.readUInt16BE(offset + 2);
    const payload = msg.subarray(offset, Math.min(msg.length, offset + pcm.length));
    const n = pt === 0 ? decodeUlaw(payload, pcm) : decodeAlaw(payload, pcm);
    levels.push(rms(pcm.subarray(0, n)));
    for (const w of [...waiters]) w();
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const voiced = () => levels.filter((l) => l >= VOICED_RMS).length;
  return {
    port: socket.address().port,
    levels,
    voiced,
    waitVoiced: (count, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (voiced() < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${voiced()} voiced RTP packets of ${levels.length}, wanted ${count}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Reads a streamed response until `enough` returns true; the reader stays open for more. */
export async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  received: Uint8Array[],
  enough: (bytes: number) => boolean,
): Promise<boolean> {
  let bytes = received.reduce((n, c) => n + c.length, 0);
  while (!enough(bytes)) {
    const { done, value } = await reader.read();
    if (done) return false;
    received.push(value);
    bytes += value.length;
  }
  return true;
}

/** Reads to the end of the stream (a test timeout if it never ends). */
export async function readToEnd(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  received: Uint8Array[],
): Promise<void> {
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    received.push(value);
  }
}

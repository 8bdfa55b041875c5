// Writes a libpcap file of RFC 4733 telephone-event RTP packets (Ethernet/IPv4/UDP framing) for
// sipp's `<exec play_pcap_audio>`: sipp replays the UDP payloads to the callee's SDP port at the
// capture's pace. Unlike the single-digit pcaps shipped with sip-tester, one file carries a whole
// key sequence with rising sequence numbers and timestamps, so a receiver sees distinct events.

import { writeFile } from "node:fs/promises";
import { buildTelephoneEvent, digitToEvent } from "../../src/protocols/rtp/dtmf.ts";

export interface DtmfStep {
  /** Keys pressed one after another, e.g. "123456#". */
  keys: string;
  /** Silence before these keys, ms. */
  pauseMs?: number;
}

const PT = 101;
const SSRC = 0x4f4d5658;
/** A key is held 100 ms (five 20 ms updates) and followed by 80 ms without events. */
const UPDATES = 5;
const GAP_MS = 80;

export async function writeDtmfPcap(path: string, steps: DtmfStep[]): Promise<number> {
  const packets: Array<{ atMs: number; payload: Buffer }> = [];
  let atMs = 0;
  let seq = 1;
  const rtp = (timestamp: number, marker: boolean, body: Buffer) => {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (marker ? 0x80 : 0) | PT;
    header.writeUInt16BE(seq++ & 0xffff, 2);
    header.writeUInt32BE(timestamp >>> 0, 4);
    header.writeUInt32BE(SSRC, 8);
    return Buffer.concat([header, body]);
  };
  for (const step of steps) {
    atMs += step.pauseMs ?? 0;
    for (const key of step.keys) {
      const event = digitToEvent(key);
      if (event === null) throw new RangeError(`not a DTMF key: ${key}`);
      const timestamp = 1000 + atMs * 8;
      for (let i = 1; i <= UPDATES; i++) {
        const body = buildTelephoneEvent({ event, end: false, volume: 10, duration: i * 160 });
        packets.push({ atMs, payload: rtp(timestamp, i === 1, body) });
        atMs += 20;
      }
      // The end packet, sent three times (RFC 4733 §2.5.1.4).
      const end = buildTelephoneEvent({ event, end: true, volume: 10, duration: UPDATES * 160 });
      for (let i = 0; i < 3; i++)
        packets.push({ atMs: atMs + i * 5, payload: rtp(timestamp, false, end) });
      atMs += GAP_MS;
    }
  }
  await writeFile(path, pcapOf(packets));
  return atMs;
}

function pcapOf(packets: Array<{ atMs: number; payload: Buffer }>): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const records = packets.map(({ atMs, payload }) => {
    const udpLength = 8 + payload.length;
    const frame = Buffer.alloc(14 + 20 + udpLength);
    frame.writeUInt16BE(0x0800, 12);
    const ip = 14;
    frame[ip] = 0x45;
    frame.writeUInt16BE(20 + udpLength, ip + 2);
    frame[ip + 8] = 64;
    frame[ip + 9] = 17;
    frame.set([127, 0, 0, 1], ip + 12);
    frame.set([127, 0, 0, 1], ip + 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += frame.readUInt16BE(ip + i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    frame.writeUInt16BE(~sum & 0xffff, ip + 10);
    const udp = ip + 20;
    frame.writeUInt16BE(6000, udp);
    frame.writeUInt16BE(6002, udp + 2);
    frame.writeUInt16BE(udpLength, udp + 4);
    payload.copy(frame, udp + 8);
    const head = Buffer.alloc(16);
    head.writeUInt32LE(1_700_000_000 + Math.floor(atMs / 1000), 0);
    head.writeUInt32LE((atMs % 1000) * 1000, 4);
    head.writeUInt32LE(frame.length, 8);
    head.writeUInt32LE(frame.length, 12);
    return Buffer.concat([head, frame]);
  });
  return Buffer.concat([global, ...records]);
}

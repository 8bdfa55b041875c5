// Micro-benchmark of the SIP message layer: parse (and parse+serialize) of a typical INVITE,
// paired with the floor measured in the same run — decoding the same bytes and splitting lines.
// Run: npx tsx bench/sip-parse.ts  (exports run() for a future bench/run.ts)

import { parseMessage } from "../src/protocols/sip/message/parser.ts";
import { serializeMessage } from "../src/protocols/sip/message/serializer.ts";

const INVITE = Buffer.from(
  [
    "INVITE sip:bob@biloxi.example.com SIP/2.0",
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport",
    "Via: SIP/2.0/UDP proxy.atlanta.example.com;branch=z9hG4bK2d4790.1",
    "Max-Forwards: 70",
    'To: "Bob" <sip:bob@biloxi.example.com>',
    'From: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774',
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
    "CSeq: 314159 INVITE",
    "Contact: <sip:alice@pc33.atlanta.example.com>",
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY",
    "Content-Type: application/sdp",
    "Content-Length: 142",
    "",
    "v=0\r\no=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\ns=-\r\n" +
      "c=IN IP4 192.0.2.101\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0\r\n",
  ].join("\r\n"),
);

function rate(fn: () => unknown, ms = 1000): number {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
  }
  return (n * 1000) / (performance.now() - start);
}

export function run(): Record<string, number> {
  const floor = rate(() => INVITE.toString("utf8").split("\r\n"));
  const parse = rate(() => parseMessage(INVITE));
  const roundTrip = rate(() => {
    const r = parseMessage(INVITE);
    if (r.ok) serializeMessage(r.message);
  });
  return { floor, parse, roundTrip, parseRatio: parse / floor };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = run();
  console.table({
    "decode+split (floor)": { "msgs/s": Math.round(r.floor!) },
    parseMessage: { "msgs/s": Math.round(r.parse!), "vs floor": r.parseRatio!.toFixed(3) },
    "parse+serialize": { "msgs/s": Math.round(r.roundTrip!) },
  });
}

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { test } from "node:test";
import { pino } from "pino";
import { manualClock } from "../../../test/support/manual-clock.ts";
import { RtpSession } from "../../protocols/rtp/session.ts";
import { keepMediaAlive } from "./liveness.ts";

async function session(clock: ReturnType<typeof manualClock>): Promise<RtpSession> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return new RtpSession({ socket, payloadType: 0, clock });
}

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { log, lines };
}

test("no RTP for the timeout: one log line and one hang-up", async () => {
  const clock = manualClock();
  const rtp = await session(clock);
  const { log, lines } = capture();
  let hangups = 0;
  keepMediaAlive(rtp, {
    timeoutMs: 1500,
    log,
    send: false,
    listens: false,
    hangup: async () => {
      hangups++;
    },
  });
  await clock.advance(1400);
  assert.equal(hangups, 0);
  await clock.advance(10_000);
  assert.equal(hangups, 1);
  const said = lines.filter((l) => l.msg === "no RTP from the peer: ending the call");
  assert.equal(said.length, 1);
  assert.equal(said[0]!.rtpTimeoutMs, 1500);
  rtp.close();
});

test("a peer that is not to send (recvonly/inactive) is not timed out", async () => {
  const clock = manualClock();
  const rtp = await session(clock);
  let hangups = 0;
  keepMediaAlive(rtp, {
    timeoutMs: 1500,
    log: capture().log,
    send: false,
    listens: false,
    receives: false,
    hangup: async () => {
      hangups++;
    },
  });
  await clock.advance(10_000);
  assert.equal(hangups, 0);
  rtp.close();
});

// Omnivox places a call to a SIP URI and plays audio — here to sipp acting as an
// answering phone (scenario test/interop/sipp/answer.xml) that echoes the RTP it receives.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { Prompts } from "../../src/adapters/telephone/prompts.ts";
import { TelephoneService } from "../../src/adapters/telephone/service.ts";
import { generateTone } from "../../src/media/pcm.ts";
import { peer } from "../support/peers.ts";
import { allocateRtpPorts } from "../support/rtp-ports.ts";
import { freeUdpPort, runSipp } from "../support/sipp.ts";

const sipp = peer("sipp", "sip-tester");
let work: string;
let service: TelephoneService;

before(async () => {
  if (sipp.skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-play-"));
  const never = async () => undefined;
  service = new TelephoneService(
    {
      listen: { host: "127.0.0.1", port: 0 },
      mediaAddress: "127.0.0.1",
      rtpPorts: allocateRtpPorts(10).range,
      voicemail: { maxMessageMs: 60_000, silenceMs: 3000, minMessageMs: 500, silenceLevel: 200 },
      tmpDir: join(work, "tmp"),
    },
    {
      logger: pino({ level: "silent" }),
      prompts: await Prompts.load(),
      mailboxFor: never,
      identifyCaller: async () => "other" as const,
      greetingFor: never,
      deposit: async () => {},
      mailbox: {
        verifyPin: async () => false,
        newMessages: async () => [],
        markSaved: async () => {},
        delete: async () => {},
        saveGreeting: async () => {},
      },
    },
  );
  await service.start();
});

after(async () => {
  await service?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test("a call is placed to a SIP URI, answered, and the audio is played to the end", {
  skip: sipp.skip,
  timeout: 60_000,
}, async () => {
  const port = await freeUdpPort();
  const phone = runSipp(sipp.path!, undefined, "answer.xml", {
    service: "x",
    port,
    workDir: work,
    extra: ["-rtp_echo"],
  });
  await new Promise((r) => setTimeout(r, 500)); // sipp binds its port
  const pcm = generateTone(440, 1500, 8000, 0.4);
  const result = await service.playOnPhone({
    uri: `sip:bob@127.0.0.1:${port}`,
    dest: { host: "127.0.0.1", port, transport: "udp" },
    from: { uri: "sip:omnivox@127.0.0.1", displayName: "omnivox" },
    pcm,
  });
  const run = await phone;
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-1500)}`);
  assert.ok(result.playedMs >= 1400, `played for ${result.playedMs} ms`);
  // sipp echoed what it received: the phone heard the audio.
  assert.ok(result.packetsReceived >= 50, `${result.packetsReceived} RTP packets came back`);
});

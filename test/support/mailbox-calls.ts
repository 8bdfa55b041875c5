// Calls to the mailbox access number that key digits as RFC 4733 telephone-events (sipp replays a
// pcap made by dtmf-pcap.ts), and a sipp deposit that leaves one short message in a box.

import { mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeUlaw } from "../../src/media/g711.ts";
import { generateSweep } from "../../src/media/pcm.ts";
import { writeDtmfPcap } from "./dtmf-pcap.ts";
import type { TestApp } from "./harness.ts";
import { runSipp, type SippRun } from "./sipp.ts";

/** The keys of one call: `pins`, then for a box that opened "2" (save) now and then, and "*". */
export async function mailboxKeys(
  work: string,
  name: string,
  pins: string[],
  saveTries = 0,
): Promise<string> {
  const path = join(work, `${name}.pcap`);
  await writeDtmfPcap(path, [
    { keys: pins.map((p) => `${p}#`).join(""), pauseMs: 300 },
    // One "2" lands while the first message plays, whatever the prompts before it take.
    ...Array.from({ length: saveTries }, () => ({ keys: "2", pauseMs: 2500 })),
    // "*" hangs up from the main menu (or leaves the message menu for it).
    ...(saveTries > 0 ? [{ keys: "*", pauseMs: 2500 }] : []),
  ]);
  return path;
}

export async function callMailbox(
  sipp: string,
  app: TestApp,
  opts: {
    caller: string;
    pcap: string;
    work: string;
    calls?: number;
    parallel?: number;
    /** Local address to call from (another loopback address is another source). */
    from?: string;
  },
): Promise<SippRun> {
  return runSipp(sipp, app.app.ports.sip!, "mailbox-keys.xml", {
    service: "8000",
    keys: { caller: opts.caller },
    template: { pcap: opts.pcap, bye_timeout_ms: "60000" },
    calls: opts.calls ?? 1,
    // A later -i wins over the one runSipp gives.
    extra: ["-l", String(opts.parallel ?? 1), ...(opts.from ? ["-i", opts.from] : [])],
    timeoutS: 90,
    workDir: await mkdtemp(join(opts.work, "call-")),
  });
}

/** Leaves a 1 s message in the box of `number` (the caller is +15551234). */
export async function depositMessage(
  sipp: string,
  app: TestApp,
  number: string,
  work: string,
): Promise<SippRun> {
  const audio = generateSweep(400, 2500, 1000, 8000, 0.5);
  const ulaw = new Uint8Array(audio.length);
  encodeUlaw(audio, ulaw);
  const dir = await mkdtemp(join(work, "deposit-"));
  const audioFile = join(dir, "caller.ulaw");
  await writeFile(audioFile, ulaw);
  return runSipp(sipp, app.app.ports.sip!, "deposit.xml", {
    service: number,
    keys: { caller: "15551234" },
    template: { audio: audioFile, audio_ms: "1300" },
    workDir: dir,
  });
}

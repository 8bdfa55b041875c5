// `npm run bench`: runs every benchmark, prints one table, writes bench/results.json. Each figure
// stands beside a limit measured in the same run on the same machine; the ratio is the result.

import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { createTtsEngine } from "../src/speech/tts/factory.ts";
import { rows as clusterRows, run as clusterSmtp } from "./cluster-smtp.ts";
import { run as commitLimit, rows as commitLimitRows } from "./commit-limit.ts";
import { run as depositRecord } from "./deposit-record.ts";
import { rows as fanoutRows, run as fanoutSpread } from "./fanout-spread.ts";
import { run as mwiBurst, rows as mwiBurstRows } from "./mwi-burst.ts";
import { rows as mwiRows, run as mwiUpdates } from "./mwi-updates.ts";
import { run as sipParse } from "./sip-parse.ts";
import { run as sipSetup } from "./sip-setup.ts";
import { run as smtpToWeb } from "./smtp-to-web.ts";
import { run as srtpBench } from "./srtp.ts";
import { run as sttWer } from "./stt-wer.ts";
import { measureTtsRtf } from "./tts-rtf.ts";
import { run as voicemailEmail, rows as voicemailRows } from "./voicemail-email.ts";
import { run as xmppBench, rows as xmppRows } from "./xmpp.ts";

const rows: Array<{ benchmark: string; figure: string; limit: string; ratio: string }> = [];
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
};

// First, on an idle machine: what the disk allows. Every durable path below is bounded by it.
const commits = await commitLimit();
results.commitLimit = commits;
rows.push(...commitLimitRows(commits));

const mails = Number(process.env.OMNIVOX_BENCH_MAILS ?? 1000);
const smtp = await smtpToWeb(mails, 8, Number(process.env.OMNIVOX_BENCH_WARM_MAILS ?? 1000));
results.smtpToWeb = smtp;
rows.push({
  benchmark: `SMTP in → web client (${smtp.mails} mails after ${smtp.warmUp} not counted, ${smtp.concurrency} connections)`,
  figure: `${smtp.omnivoxPerSec.toFixed(0)} msg/s, p50 ${smtp.p50Ms.toFixed(1)} ms, p99 ${smtp.p99Ms.toFixed(1)} ms`,
  limit: `bare smtp-server sink ${smtp.sinkPerSec.toFixed(0)} msg/s`,
  ratio: smtp.ratio.toFixed(3),
});

const sip = sipParse();
results.sipParse = sip;
rows.push({
  benchmark: "SIP parse (INVITE with SDP)",
  figure: `${Math.round(sip.parse!)} msg/s`,
  limit: `decode + split lines ${Math.round(sip.floor!)} msg/s`,
  ratio: sip.parseRatio!.toFixed(3),
});

const srtp = srtpBench();
results.srtp = srtp;
rows.push({
  benchmark: "SRTP protect + unprotect, AES_CM_128_HMAC_SHA1_80, 20 ms G.711",
  figure: `${Math.round(srtp.roundTripPerSec)} pkt/s`,
  limit: `new AES-CTR cipher + HMAC per packet ${Math.round(srtp.naivePerSec)} pkt/s`,
  ratio: srtp.ratio.toFixed(3),
});

const setup = await sipSetup(3000, 3000);
results.sipSetup = setup ?? "sipp not installed";
if (setup) {
  rows.push({
    benchmark: `SIP call set-ups driven by sipp (${setup.calls} calls, INVITE→200→ACK→BYE)`,
    figure: `${setup.omnivoxPerSec.toFixed(0)} calls/s, ${setup.omnivoxFailed} failed`,
    limit: `sipp against sipp uas ${setup.sippUasPerSec.toFixed(0)} calls/s`,
    ratio: setup.ratio.toFixed(3),
  });
  const p = setup.proxied;
  if (p) {
    rows.push({
      benchmark: `SIP set-ups through Kamailio (record-routing proxy, ${p.calls} calls, ACK/BYE by route set)`,
      figure: `${p.proxiedPerSec.toFixed(0)} calls/s, ${p.proxiedFailed} failed`,
      limit: `direct, same scenario ${p.directPerSec.toFixed(0)} calls/s, ${p.directFailed} failed`,
      ratio: p.ratio.toFixed(3),
    });
  }
}

// Speech: real-time factors (below 1 is faster than speech; the limit is real time).
const tts: Record<string, unknown> = {};
results.tts = tts;
for (const name of ["flite-wasm", "espeak-ng-wasm", "espeak-ng", "flite"]) {
  const engine = createTtsEngine(name);
  try {
    await engine.check();
    const r = await measureTtsRtf(engine, { runs: 3 });
    tts[name] = r;
    rows.push({
      benchmark: `TTS ${name} (10-word sentence)`,
      figure: `${r.synthMs.toFixed(0)} ms for ${r.audioMs.toFixed(0)} ms of speech`,
      limit: "real time",
      ratio: r.rtf.toFixed(4),
    });
  } catch (err) {
    rows.push({
      benchmark: `TTS ${name}`,
      figure: `not run: ${(err as Error).message}`,
      limit: "-",
      ratio: "-",
    });
  } finally {
    await engine.close();
  }
}
try {
  const stt = await sttWer();
  results.sttWer = stt;
  rows.push({
    benchmark: `STT pocketsphinx, ${stt.sentences} sentences through 8 kHz G.711`,
    figure: `WER ${(stt.wer * 100).toFixed(1)} %`,
    limit: "real time (RTF)",
    ratio: stt.rtf.toFixed(3),
  });
} catch (err) {
  rows.push({
    benchmark: "STT pocketsphinx",
    figure: `not run: ${(err as Error).message}`,
    limit: "-",
    ratio: "-",
  });
}

// Hang-up → email with and without STT, and the spread of a three-way fan-out.
const vmEmail = await voicemailEmail(Number(process.env.OMNIVOX_BENCH_CALLS ?? 20));
results.voicemailEmail = vmEmail ?? "sipp not installed";
rows.push(...voicemailRows(vmEmail));
const fanout = await fanoutSpread(20);
results.fanoutSpread = fanout;
rows.push(...fanoutRows(fanout));

// MWI updates from legacy systems (SIP NOTIFY, SMDI) to the web client (README "Message waiting").
const mwi = await mwiUpdates();
results.mwiUpdates = mwi;
rows.push(...mwiRows(mwi));
// A PBX restart replaying state: every box of 1,000 users changes at once.
const burst = await mwiBurst(Number(process.env.OMNIVOX_BENCH_MWI_USERS ?? 1000));
results.mwiBurst = burst;
rows.push(...mwiBurstRows(burst));

// SMTP in → XMPP client beside Prosody's own client-to-client rate (README "Voicemail by mail and chat").
const xmpp = await xmppBench(Number(process.env.OMNIVOX_BENCH_XMPP ?? 1000));
results.xmpp = xmpp ?? "prosody or python3-slixmpp not installed";
rows.push(...xmppRows(xmpp));

// Several nodes: what a second node on its own core adds (docs/cluster.md).
// Twice the mails of the one-node row: shorter runs vary by a third from run to run here.
const cluster = await clusterSmtp(2 * mails, 8);
results.clusterSmtp = cluster;
rows.push(...clusterRows(cluster));

// Last, because the SIP set-up figure depends on what ran before it in this run: about 650
// calls/s alone, about 350 in the whole run, 185 right after this bench (which writes, fsyncs and
// deletes about 170 MB of WAV). No process, handle or heap is left behind; the cause is not known.
const deposits = await depositRecord();
results.depositRecord = deposits ?? "sipp not installed";
rows.push(
  deposits
    ? {
        benchmark:
          "Concurrent sipp voicemail deposits (G.711 RTP) recorded by omnivox, zero frames lost in the stored WAVs",
        figure: `${deposits.maxCallsZeroLoss} calls (${deposits.packetsPerSecAtMax} pkt/s; bit-exact up to ${deposits.maxCallsExact}), loop ${((deposits.loopUtilizationAtMax ?? 0) * 100).toFixed(0)}% busy${deposits.firstLossAt ? `, loss from ${deposits.firstLossAt} calls` : ""}`,
        limit: `raw UDP receive ${Math.round(deposits.rawUdpReceivePerSec)} pkt/s`,
        ratio: deposits.rawRatio.toFixed(3),
      }
    : {
        benchmark: "Concurrent voicemail deposits",
        figure: "not run: sipp not installed",
        limit: "-",
        ratio: "-",
      },
);

console.table(rows);
await writeFile(
  new URL("./results.json", import.meta.url),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log("written to bench/results.json");

// The limit beside the deposit benchmark: how many UDP datagrams per second one Node socket
// receives on this machine, from a sender in a worker thread so it never shares the receiver's
// event loop.

import { createSocket } from "node:dgram";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";

const HOST = "127.0.0.1";

// Plain CommonJS evaluated as a string: no loader is needed in the worker. 64 sends per turn of
// the loop from one connected socket, so no address lookup per send.
const BLASTER = `
const { parentPort, workerData } = require("node:worker_threads");
const dgram = require("node:dgram");
const { host, port, durationMs } = workerData;
let sent = 0, done = 0, stopped = false;
const finish = () => parentPort.postMessage({ sent });
const onSent = () => { if (++done === sent && stopped) finish(); };
const b = Buffer.alloc(172);
b[0] = 0x80;
const s = dgram.createSocket("udp4");
s.bind(0, host, () => s.connect(port, host, () => {
  const start = performance.now();
  const blast = () => {
    for (let i = 0; i < 64; i++) { sent++; s.send(b, onSent); }
    if (performance.now() - start < durationMs) setImmediate(blast);
    else { stopped = true; if (done === sent) finish(); }
  };
  blast();
}));
`;

function blast(port: number, durationMs: number): Promise<{ sent: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BLASTER, {
      eval: true,
      workerData: { host: HOST, port, durationMs },
    });
    worker.once("message", (m: { sent: number }) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once("error", reject);
  });
}

export interface RawUdpRate {
  /** Datagrams per second the socket received. */
  received: number;
  /** Datagrams per second the worker sent. */
  sent: number;
  /** Datagrams per second of busy event loop: the receiver's capacity when the sender limits. */
  perBusySecond: number;
}

export async function rawUdpReceiveRate(durationMs = 2500): Promise<RawUdpRate> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  socket.setRecvBufferSize(4 * 1024 * 1024);
  let received = 0;
  let first = 0;
  let last = 0;
  socket.on("message", () => {
    if (received++ === 0) first = performance.now();
    last = performance.now();
  });
  const elu = performance.eventLoopUtilization();
  const { sent } = await blast(socket.address().port, durationMs);
  await new Promise((r) => setTimeout(r, 200));
  const busy = performance.eventLoopUtilization(elu);
  socket.close();
  return {
    received: received / ((last - first) / 1000),
    sent: sent / (durationMs / 1000),
    perBusySecond: received / (busy.active / 1000),
  };
}

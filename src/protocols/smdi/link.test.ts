// Tests for the SMDI link (GR-283-CORE frames over TCP) on real sockets at 127.0.0.1 port 0:
// dial out through a peer that drops mid-frame, the offline queue, listen with peer replacement.

import assert from "node:assert/strict";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { Writable } from "node:stream";
import { after, describe, it } from "node:test";
import { pino } from "pino";
import { encodeFrame, encodeMwi } from "./codec.ts";
import type { SmdiFrame } from "./frames.ts";
import { SmdiLink, type SmdiLinkStatus } from "./link.ts";

const FAST = { initialDelayMs: 1, maxDelayMs: 5, jitter: 0 };
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

async function listen(
  onConnection: (socket: Socket) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return { server, port: (server.address() as AddressInfo).port };
}

function untilStatus(link: SmdiLink, status: SmdiLinkStatus): Promise<void> {
  if (link.status === status) return Promise.resolve();
  return new Promise((resolve) => {
    const check = (s: SmdiLinkStatus): void => {
      if (s !== status) return;
      link.off("status", check);
      resolve();
    };
    link.on("status", check);
  });
}

function collectFrames(link: SmdiLink, count: number): Promise<SmdiFrame[]> {
  const frames: SmdiFrame[] = [];
  return new Promise((resolve) => {
    const onFrame = (frame: SmdiFrame): void => {
      frames.push(frame);
      if (frames.length < count) return;
      link.off("frame", onFrame);
      resolve(frames);
    };
    link.on("frame", onFrame);
  });
}

/** Reads from a socket until `bytes` bytes have come (leaving the socket open). */
function readBytes(socket: Socket, bytes: number): Promise<string> {
  let text = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      text += chunk.toString("latin1");
      if (text.length < bytes) return;
      socket.off("data", onData);
      resolve(text);
    };
    socket.on("data", onData);
    socket.once("close", () => reject(new Error(`closed after ${JSON.stringify(text)}`)));
  });
}

function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

const TRANSITIONS: Record<SmdiLinkStatus, SmdiLinkStatus[]> = {
  offline: ["connecting", "closing"],
  connecting: ["online", "offline", "closing"],
  online: ["offline", "closing"],
  closing: ["offline"],
};
function assertLegal(statuses: SmdiLinkStatus[]): void {
  let from: SmdiLinkStatus = "offline";
  for (const to of statuses) {
    assert.ok(TRANSITIONS[from].includes(to), `${from} → ${to} in ${statuses.join(",")}`);
    from = to;
  }
}

describe("SmdiLink, connect role", () => {
  it("redials after a drop mid-frame, discards the partial frame and decodes what follows", async () => {
    let accepted = 0;
    const { port } = await listen((socket) => {
      accepted++;
      if (accepted === 1) {
        // one whole frame, then half of the next, then the line goes dead
        socket.end(
          Buffer.concat([encodeMwi({ on: true, station: "100" }), Buffer.from("RMV:MWI 55")]),
        );
      } else if (accepted === 2) {
        socket.destroy(); // flapping: accepted and dropped at once
      } else {
        // the tail of the lost frame must not glue onto the old half into "RMV:MWI 555"
        socket.write(
          Buffer.concat([Buffer.from("5!\x04"), encodeMwi({ on: false, station: "200" })]),
        );
      }
    });
    const { logger, lines } = memoryLogger();
    const link = new SmdiLink({ connect: `127.0.0.1:${port}`, backoff: FAST, logger, id: "pbx" });
    cleanup.push(() => link.close());
    const statuses: SmdiLinkStatus[] = [];
    link.on("status", (s) => statuses.push(s));
    const frames = collectFrames(link, 2);
    await link.start();
    assert.deepEqual(await frames, [
      { kind: "mwi", on: true, station: "100" },
      { kind: "mwi", on: false, station: "200" },
    ]);
    assert.equal(accepted, 3);
    assert.equal(link.status, "online");
    assert.deepEqual(statuses.slice(0, 4), ["connecting", "online", "offline", "connecting"]);
    assertLegal(statuses);
    const partial = lines.filter((l) => l.msg === "smdi: partial frame discarded");
    assert.deepEqual(
      partial.map((l) => [l.smdi, l.bytes]),
      [["pbx", 10]],
    );
    const garbage = lines.filter((l) => l.msg === "smdi: skipped garbage");
    assert.deepEqual(
      garbage.map((l) => l.bytes),
      [3],
    );
    await link.close();
    assert.equal(link.status, "offline");
  });

  it("queues frames while offline up to maxQueue, rejects beyond, and writes them in order", async () => {
    let peer: (socket: Socket) => void = () => {};
    const accepted = new Promise<Socket>((resolve) => {
      peer = resolve;
    });
    const { port } = await listen((socket) => peer(socket));
    const link = new SmdiLink({ connect: `127.0.0.1:${port}`, backoff: FAST, maxQueue: 2 });
    cleanup.push(() => link.close());
    const a: SmdiFrame = { kind: "mwi-error", station: "300", reason: "INV" };
    const b: SmdiFrame = { kind: "mwi", on: true, station: "301" };
    assert.equal(link.send(a), true);
    assert.equal(link.send(b), true);
    assert.equal(link.send({ kind: "mwi", on: false, station: "302" }), false);
    await link.start();
    await untilStatus(link, "online");
    assert.equal(link.send(b), true); // online: written at once, after the queued ones
    const expected = Buffer.concat([encodeFrame(a), encodeFrame(b), encodeFrame(b)]);
    assert.equal(await readBytes(await accepted, expected.length), expected.toString("latin1"));
    await link.close();
    assert.equal(link.send(a), false);
  });

  it("starts again after a close (a cluster node taking the link over once more)", async () => {
    const peers: Socket[] = [];
    const { port } = await listen((socket) => peers.push(socket));
    const link = new SmdiLink({ connect: `127.0.0.1:${port}`, backoff: FAST });
    cleanup.push(() => link.close());
    await link.start();
    await untilStatus(link, "online");
    await link.close();
    assert.equal(link.send({ kind: "mwi", on: true, station: "400" }), false, "closed link queued");
    await link.start();
    await untilStatus(link, "online");
    const frames = collectFrames(link, 1);
    peers.at(-1)!.write(encodeMwi({ on: true, station: "401" }));
    assert.deepEqual(await frames, [{ kind: "mwi", on: true, station: "401" }]);
    assert.equal(peers.length, 2);
  });

  it("keeps redialling a dead address until closed", async () => {
    const { server, port } = await listen(() => {});
    await new Promise((resolve) => server.close(resolve)); // nothing listens there now
    const link = new SmdiLink({ connect: `127.0.0.1:${port}`, backoff: FAST });
    let offline = 0;
    const thrice = new Promise<void>((resolve) =>
      link.on("status", (s) => {
        if (s === "offline" && ++offline === 3) resolve();
      }),
    );
    await link.start();
    await thrice;
    await link.close();
    assert.equal(link.status, "offline");
  });

  it("refuses a config with both or neither role, or a bad address", () => {
    assert.throws(() => new SmdiLink({ connect: "127.0.0.1" }), RangeError);
    assert.throws(
      () => new SmdiLink({ connect: "a:1", listen: "b:2" } as unknown as { connect: string }),
      RangeError,
    );
    assert.throws(() => new SmdiLink({ connect: "pbx:70000" }), /SMDI link address "pbx:70000"/);
    assert.throws(() => new SmdiLink({ connect: "xmpp://pbx:7000" }), RangeError);
  });
});

describe("SmdiLink, listen role", () => {
  it("serves one peer at a time: a new peer replaces the old, whose partial frame is dropped", async () => {
    const link = new SmdiLink({ listen: "127.0.0.1:0" });
    cleanup.push(() => link.close());
    await link.start();
    assert.equal(link.status, "connecting");
    const { port } = link.address()!;

    const first = connect(port, "127.0.0.1");
    cleanup.push(() => first.destroy());
    const firstFrame = collectFrames(link, 1);
    await untilStatus(link, "online");
    first.write(encodeMwi({ on: true, station: "1" }));
    assert.deepEqual(await firstFrame, [{ kind: "mwi", on: true, station: "1" }]);
    const reply = encodeFrame({ kind: "mwi-error", station: "1", reason: "BLK" });
    link.send({ kind: "mwi-error", station: "1", reason: "BLK" });
    assert.equal(await readBytes(first, reply.length), reply.toString("latin1"));

    first.write("OP:MWI 12"); // half a frame, then another peer takes over
    const firstClosed = once(first, "close");
    const second = connect(port, "127.0.0.1");
    cleanup.push(() => second.destroy());
    await firstClosed;
    const secondFrames = collectFrames(link, 1);
    second.write("3!\x04RMV:MWI 9!\x04");
    assert.deepEqual(await secondFrames, [{ kind: "mwi", on: false, station: "9" }]);
    const detail: SmdiFrame = {
      kind: "call-detail",
      desk: "001",
      terminal: "0001",
      type: "N",
      forwardingStation: "9",
      callingStation: "5550100",
    };
    link.send(detail);
    const bytes = encodeFrame(detail);
    assert.equal(await readBytes(second, bytes.length), bytes.toString("latin1"));

    second.end();
    await untilStatus(link, "offline");
    await untilStatus(link, "connecting"); // listening again for the next peer
    await link.close();
    assert.equal(link.status, "offline");
    assert.equal(link.address(), undefined);
  });
});

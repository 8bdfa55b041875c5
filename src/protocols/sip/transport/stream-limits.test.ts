// The stream transport's connection limits on real TCP sockets (docs/security.md "SIP limits"):
// a per-source cap refuses one address's extra connections while another connects; a connection
// that sends no complete message in time (idle or slowloris) is cut, one that does is kept.

import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { describe, it } from "node:test";
import { TcpTransport } from "./tcp.ts";

const OPTIONS = Buffer.from(
  [
    "OPTIONS sip:omnivox@127.0.0.1 SIP/2.0",
    "Via: SIP/2.0/TCP 127.0.0.3:5060;branch=z9hG4bKstream1",
    "Max-Forwards: 70",
    "From: <sip:a@127.0.0.3>;tag=1",
    "To: <sip:omnivox@127.0.0.1>",
    "Call-ID: stream-limits-1",
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n"),
);

function open(port: number, from: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, localAddress: from }, () => resolve(s));
    s.once("error", reject);
  });
}

const closed = (s: Socket) =>
  new Promise<void>((resolve) => {
    if (s.destroyed || s.readyState === "closed") resolve();
    else s.once("close", () => resolve());
  });

const within = <T>(p: Promise<T>, ms: number, what: string) => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

describe("StreamTransport connection limits", () => {
  it("caps one source's connections and cuts those that send no complete message", async () => {
    const t = new TcpTransport({
      host: "127.0.0.1",
      port: 0,
      maxConnectionsPerSource: 3,
      messageTimeoutMs: 1000,
      isExempt: (host) => host === "127.0.0.4",
    });
    const limits: string[] = [];
    const messages: string[] = [];
    t.onLimit = (limit, source) => limits.push(`${limit}:${source.host}`);
    t.onMessage = (buf, source) => messages.push(`${source.host}:${buf.length}`);
    const { port } = await t.listen();
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const s = await open(port, "127.0.0.2");
        s.on("error", () => {});
        sockets.push(s);
      }
      // The two over the cap are closed at once by the server.
      await within(Promise.all(sockets.slice(3).map(closed)), 5000, "refused connections close");
      assert.deepEqual(limits, ["per-source:127.0.0.2", "per-source:127.0.0.2"]);
      // Another source is served: it sends a message and stays past the message timeout.
      const good = await open(port, "127.0.0.3");
      sockets.push(good);
      good.write(OPTIONS);
      // A slowloris from a third address: half a message, never finished.
      const slow = await open(port, "127.0.0.5");
      slow.on("error", () => {});
      sockets.push(slow);
      slow.write(OPTIONS.subarray(0, 40));
      // A trusted proxy is not capped.
      const proxy: Socket[] = [];
      for (let i = 0; i < 5; i++) proxy.push(await open(port, "127.0.0.4"));
      sockets.push(...proxy);
      await within(
        Promise.all([...sockets.slice(0, 3), slow, ...proxy].map(closed)),
        10_000,
        "idle and slow connections are cut",
      );
      assert.equal(good.destroyed, false, "a connection that sent a message is kept");
      assert.deepEqual(messages, [`127.0.0.3:${OPTIONS.length}`]);
      assert.equal(limits.filter((l) => l.startsWith("message-timeout")).length, 4 + 5);
      // The server's side of the last cut may close a moment after the client's.
      for (let i = 0; i < 40 && t.connectionCount > 1; i++)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(t.connectionCount, 1);
    } finally {
      for (const s of sockets) s.destroy();
      await t.close();
    }
  });
});

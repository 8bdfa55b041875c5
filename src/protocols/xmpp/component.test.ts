import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:net";
import { test } from "node:test";
import { until } from "../../../test/support/until.ts";
import { FakeComponentServer, type FakeSession } from "../../../test/support/xmpp-fake-server.ts";
import { ComponentConnection, type ComponentStatus, type DisconnectInfo } from "./component.ts";
import { NotConnectedError, StreamError, XmppTimeoutError } from "./errors.ts";
import { reconnect } from "./reconnect.ts";
import { childText, type XmlElement, xml } from "./xml.ts";

const DOMAIN = "omnivox.example.test";

async function setup(secret = "s3cret", serverSecret = "s3cret") {
  const sessions: FakeSession[] = [];
  const waiters: ((s: FakeSession) => void)[] = [];
  const server = new FakeComponentServer({
    secret: serverSecret,
    onSession: (s) => {
      sessions.push(s);
      waiters.shift()?.(s);
    },
  });
  const port = await server.listen();
  const connection = new ComponentConnection({ host: "127.0.0.1", port, domain: DOMAIN, secret });
  const nextSession = () =>
    new Promise<FakeSession>((resolve) => {
      waiters.push(resolve);
    });
  return { server, port, connection, sessions, nextSession };
}

test("handshake, stanzas both ways, clean close", async () => {
  const { server, connection, nextSession } = await setup();
  const statuses: ComponentStatus[] = [];
  connection.on("status", (s) => statuses.push(s));
  const session = nextSession();
  assert.throws(() => connection.send(xml("message")), NotConnectedError);
  await connection.connect();
  assert.equal(connection.status, "online");
  const s = await session;
  await connection.send(xml("message", { to: "alice@example.test" }, xml("body", {}, "hi & bye")));
  await until("s.stanzas.length === 1", () => s.stanzas.length === 1, 3000);
  assert.equal(s.stanzas[0]?.attrs.from, DOMAIN);
  assert.equal(childText(s.stanzas[0]!, "body"), "hi & bye");
  const got = once(connection, "stanza");
  s.socket.write(
    "<message from='alice@example.test/r' to='bob@omnivox.example.test'><body>yo</body></message>",
  );
  const [stanza] = await got;
  assert.equal(childText(stanza, "body"), "yo");
  const disconnect = once(connection, "disconnect");
  await connection.close();
  const [info] = (await disconnect) as [DisconnectInfo];
  assert.deepEqual(info, { requested: true });
  assert.deepEqual(statuses, ["connecting", "handshaking", "online", "closing", "offline"]);
  assert.match(s.raw, /<\/stream:stream>$/);
  await server.close();
});

test("a refused secret is a not-authorized stream error and no tight reconnect loop", async () => {
  const { server, connection } = await setup("wrong", "right");
  await assert.rejects(connection.connect(), (err: unknown) => {
    assert.ok(err instanceof StreamError);
    assert.equal(err.condition, "not-authorized");
    return true;
  });
  const retry = reconnect({ connection, initialDelayMs: 10, maxDelayMs: 5_000 });
  const delays: number[] = [];
  retry.on("reconnecting", (_n, ms) => delays.push(ms));
  retry.start();
  await new Promise((r) => setTimeout(r, 500));
  retry.stop();
  // one attempt by start(), which fails; the next waits at least half of maxDelayMs
  assert.equal(server.connections, 2);
  assert.equal(delays.length, 1);
  assert.ok((delays[0] ?? 0) >= 2_500, `delay ${delays[0]}`);
  await server.close();
});

test("malformed XML from the server: stream error not-well-formed, then a reconnect", async () => {
  const { server, connection, nextSession } = await setup();
  const first = nextSession();
  const retry = reconnect({ connection, initialDelayMs: 20, maxDelayMs: 100 });
  retry.start();
  const s1 = await first;
  const second = nextSession();
  const disconnect = once(connection, "disconnect");
  s1.socket.write("<message><body></message>");
  const [info] = (await disconnect) as [DisconnectInfo];
  assert.ok(info.error instanceof StreamError);
  assert.equal(info.error.condition, "not-well-formed");
  await s1.closed;
  assert.match(
    s1.raw,
    /<stream:error><not-well-formed xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/><\/stream:error><\/stream:stream>$/,
  );
  await second;
  await until('connection.status === "online"', () => connection.status === "online", 3000);
  retry.stop();
  await connection.close();
  await server.close();
});

test("an oversized stanza is dropped and reported, the stream stays; sending one is refused", async () => {
  const { server, port, nextSession } = await setup();
  const connection = new ComponentConnection({
    host: "127.0.0.1",
    port,
    domain: DOMAIN,
    secret: "s3cret",
    maxStanzaBytes: 4096,
  });
  const session = nextSession();
  await connection.connect();
  const s = await session;
  assert.throws(
    () => connection.send(xml("message", {}, xml("body", {}, "x".repeat(5000)))),
    RangeError,
  );
  const oversized = once(connection, "oversized");
  const next = once(connection, "stanza");
  s.socket.write(`<message id='m1' from='a@b/c'><body>${"y".repeat(3000)}`);
  s.socket.write(`${"y".repeat(3000)}</body></message><message id='m2'><body>ok</body></message>`);
  const [top, reason] = (await oversized) as [XmlElement, string];
  assert.deepEqual(top.attrs, { id: "m1", from: "a@b/c" });
  assert.match(reason, /larger than 4096/);
  const [stanza] = (await next) as [XmlElement];
  assert.equal(stanza.attrs.id, "m2");
  assert.equal(connection.status, "online");
  await connection.close();
  await server.close();
});

test("a server that never answers the handshake times out", async () => {
  const silent = createServer((socket) => socket.on("error", () => {}));
  silent.listen(0, "127.0.0.1");
  await once(silent, "listening");
  const address = silent.address();
  assert.ok(address && typeof address === "object");
  const connection = new ComponentConnection({
    host: "127.0.0.1",
    port: address.port,
    domain: DOMAIN,
    secret: "x",
    handshakeTimeoutMs: 100,
    closeTimeoutMs: 100,
  });
  await assert.rejects(connection.connect(), XmppTimeoutError);
  assert.equal(connection.status, "offline");
  silent.close();
});

test("the server closing the stream ends the connection with connection-closed", async () => {
  const { server, connection, nextSession } = await setup();
  const session = nextSession();
  await connection.connect();
  const s = await session;
  const disconnect = once(connection, "disconnect");
  s.socket.write("</stream:stream>");
  const [info] = (await disconnect) as [DisconnectInfo];
  assert.equal((info.error as StreamError).condition, "connection-closed");
  assert.equal(info.requested, false);
  await server.close();
});

test("a connection refused leaves the connection offline with the socket error", async () => {
  const { server, port } = await setup();
  await server.close();
  const connection = new ComponentConnection({
    host: "127.0.0.1",
    port,
    domain: DOMAIN,
    secret: "x",
  });
  await assert.rejects(connection.connect(), /ECONNREFUSED/);
  assert.equal(connection.status, "offline");
});

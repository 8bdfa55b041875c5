// Interop for the XMPP component (XEP-0114) against a real Prosody 0.12, with a python3-slixmpp
// client as the user: messages both ways, a presence subscription, and a server restart.

import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, test } from "node:test";
import {
  type Component,
  ComponentConnection,
  childText,
  component,
  escapeLocal,
  NotConnectedError,
  StreamError,
  unescapeLocal,
  type XmlElement,
  xml,
} from "../../src/protocols/xmpp/index.ts";
import { peer } from "../support/peers.ts";
import { Prosody } from "../support/prosody.ts";
import { SlixmppClient, slixmppPeer } from "../support/slixmpp.ts";

const prosodyBin = peer("prosody", "prosody");
const python = prosodyBin.skip ? {} : slixmppPeer();
const skip = prosodyBin.skip ?? python.skip;

let prosody: Prosody;
let alice: SlixmppClient;
let gateway: Component;
const received: XmlElement[] = [];

function nextStanza(match: (s: XmlElement) => boolean, timeoutMs = 10_000): Promise<XmlElement> {
  const found = received.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      gateway.connection.off("stanza", listener);
      reject(new Error(`component: no matching stanza in ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (s: XmlElement) => {
      if (!match(s)) return;
      clearTimeout(timer);
      gateway.connection.off("stanza", listener);
      resolve(s);
    };
    gateway.connection.on("stanza", listener);
  });
}

before(async () => {
  if (skip || !prosodyBin.path) return;
  prosody = await Prosody.start(prosodyBin.path, {
    users: [{ user: "alice", password: "alice-pw" }],
  });
  gateway = component({
    host: "127.0.0.1",
    port: prosody.componentPort,
    domain: prosody.componentDomain,
    secret: prosody.componentSecret,
    reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 },
    iqTimeoutMs: 5_000,
  });
  gateway.connection.on("stanza", (s) => received.push(s));
  const online = once(gateway.connection, "online");
  gateway.start();
  await online;
  alice = await SlixmppClient.start({
    ...(python.path ? { python: python.path } : {}),
    jid: `alice@${prosody.domain}`,
    password: "alice-pw",
    port: prosody.c2sPort,
  });
});

after(async () => {
  await alice?.quit();
  await gateway?.stop();
  await prosody?.stop();
});

test("the component's message reaches the slixmpp user, extra elements included", {
  skip,
}, async () => {
  await gateway.connection.send(
    xml(
      "message",
      {
        to: `alice@${prosody.domain}`,
        from: `voicemail@${prosody.componentDomain}`,
        type: "chat",
        id: "m1",
      },
      xml("body", {}, "You have 1 new voicemail <from +15551234567> & more"),
      xml("mwi", { xmlns: "urn:omnivox:mwi:0", new: "1", old: "0" }),
    ),
  );
  const got = await alice.waitFor(
    (e) => e.event === "message" && e.from === `voicemail@${prosody.componentDomain}`,
  );
  assert.equal(got.body, "You have 1 new voicemail <from +15551234567> & more");
  assert.equal(got.type, "chat");
  const mwi = got.extra?.find((x) => x.startsWith("<mwi "));
  assert.ok(mwi, String(got.extra));
  assert.match(mwi, /xmlns="urn:omnivox:mwi:0"/);
  assert.match(mwi, / new="1"/);
  assert.match(mwi, / old="0"/);
});

test("a message from the slixmpp user to someone@<component> reaches the component", {
  skip,
}, async () => {
  const to = `someone@${prosody.componentDomain}`;
  await alice.send(to, "hello gateway ☺");
  const stanza = await nextStanza(
    (s) => s.name === "message" && childText(s, "body") === "hello gateway ☺",
  );
  assert.equal(stanza.attrs.to, to);
  assert.match(stanza.attrs.from ?? "", new RegExp(`^alice@${prosody.domain}/`));
});

test("an XEP-0106 escaped address at the component reaches it unchanged", { skip }, async () => {
  const local = escapeLocal("jane doe@mail.test");
  await alice.send(`${local}@${prosody.componentDomain}`, "to an escaped address");
  const stanza = await nextStanza((s) => childText(s, "body") === "to an escaped address");
  const to = stanza.attrs.to ?? "";
  assert.equal(unescapeLocal(to.slice(0, to.lastIndexOf("@"))), "jane doe@mail.test");
});

test("Prosody refuses a wrong secret with not-authorized", { skip }, async () => {
  const wrong = new ComponentConnection({
    host: "127.0.0.1",
    port: prosody.componentPort,
    domain: prosody.componentDomain,
    secret: "not-the-secret",
  });
  await assert.rejects(wrong.connect(), (err: unknown) => {
    assert.ok(err instanceof StreamError);
    assert.equal(err.condition, "not-authorized");
    return true;
  });
  assert.equal(wrong.status, "offline");
  assert.equal(gateway.connection.status, "online", "the real component stays connected");
});

test("a subscription request from the component is seen by slixmpp and approved", {
  skip,
}, async () => {
  const from = `sub-test@${prosody.componentDomain}`;
  await gateway.connection.send(
    xml("presence", { type: "subscribe", to: `alice@${prosody.domain}`, from }),
  );
  const request = await alice.waitFor((e) => e.event === "subscribe" && e.from === from);
  assert.equal(request.from, from);
  await alice.approve(from);
  const approved = await nextStanza(
    (s) => s.name === "presence" && s.attrs.type === "subscribed" && s.attrs.to === from,
  );
  assert.equal(approved.attrs.from, `alice@${prosody.domain}`);
  // once subscribed, Prosody sends alice's current presence to the component
  await nextStanza(
    (s) => s.name === "presence" && s.attrs.type === undefined && s.attrs.to === from,
  );
});

test("Prosody restarted in the middle: the component reconnects and delivers afterwards", {
  skip,
}, async () => {
  const statuses: string[] = [];
  gateway.connection.on("status", (s) => statuses.push(s));
  const logins = alice.events.filter((e) => e.event === "online").length;
  await prosody.restart();
  await alice.waitFor(
    (e) => e.event === "online" && alice.events.filter((x) => x.event === "online").length > logins,
    20_000,
  );
  if (gateway.connection.status !== "online") await once(gateway.connection, "online");
  assert.ok(statuses.includes("offline"), `statuses: ${statuses.join(" → ")}`);
  assert.equal(statuses.at(-1), "online");
  // send through the restart window the way an outbox would: retry while not online
  for (;;) {
    try {
      await gateway.connection.send(
        xml(
          "message",
          {
            to: `alice@${prosody.domain}`,
            from: `voicemail@${prosody.componentDomain}`,
            type: "chat",
          },
          xml("body", {}, "after restart"),
        ),
      );
      break;
    } catch (err) {
      if (!(err instanceof NotConnectedError)) throw err;
      await once(gateway.connection, "online");
    }
  }
  const got = await alice.waitFor(
    (e) => e.event === "message" && e.body === "after restart",
    10_000,
  );
  assert.equal(got.from, `voicemail@${prosody.componentDomain}`);
});

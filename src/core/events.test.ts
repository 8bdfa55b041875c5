// The event port: listeners in the order added, removal, and one throwing listener neither
// stopping the others nor reaching the emitter.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createSystemEvents, type SystemEventName } from "./events.ts";

test("every listener hears the event in order; a removed one does not", () => {
  const heard: string[] = [];
  const events = createSystemEvents(() => assert.fail("no listener throws here"));
  events.on("mailboxChanged", (userId) => heard.push(`a:${userId}`));
  const off = events.on("mailboxChanged", (userId) => heard.push(`b:${userId}`));
  events.on("targetAvailable", (address) => heard.push(`t:${address.scheme}`));
  events.emit("mailboxChanged", "alice");
  off();
  events.emit("mailboxChanged", "bob");
  events.emit("targetAvailable", { scheme: "web", userId: "alice", clientId: "c1" });
  assert.deepEqual(heard, ["a:alice", "b:alice", "a:bob", "t:web"]);
});

test("a listener that throws is reported and the next one still runs", () => {
  const reported: Array<[unknown, SystemEventName]> = [];
  const events = createSystemEvents((err, name) => reported.push([err, name]));
  const heard: string[] = [];
  const boom = new Error("boom");
  events.on("mailboxChanged", () => {
    throw boom;
  });
  events.on("mailboxChanged", (userId) => heard.push(userId));
  events.emit("mailboxChanged", "alice");
  assert.deepEqual(heard, ["alice"]);
  assert.deepEqual(reported, [[boom, "mailboxChanged"]]);
});

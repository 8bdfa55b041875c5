// The voicemail box as a delivery target: a voice rendition becomes one new message with the
// sender as caller and the spoken text as transcript, the mailbox hook fires (MWI), a retried
// delivery does not leave a second message, and what is not audio or has no box is refused.

import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { type OpenedTestStore, testDialects } from "../../../test/support/store.ts";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError } from "../../core/errors.ts";
import { defaultProfile } from "../../core/profile.ts";
import type { AudioRendition, Rendition } from "../../core/rendition.ts";
import { VoicemailAdapter } from "./adapter.ts";

const sqlite = (await testDialects()).find((d) => d.name === "sqlite")!;
let t: OpenedTestStore;
let changed: string[];
let adapter: VoicemailAdapter;

const mail = {
  id: "c1",
  kind: "email",
  userId: "alice",
  direction: "inbound",
  from: { scheme: "mailto", email: "bob@example.net" },
  to: { scheme: "mailto", email: "alice@example.com" },
  receivedAt: new Date("2025-03-01T10:00:00Z"),
  thread: { threadId: "c1" },
  nativeRefs: [],
  warnings: [],
  body: { text: "Please call me back" },
} as Communication;

const rendition: AudioRendition = {
  medium: "voice",
  audioId: "tts-c1",
  durationMs: 2500,
  text: "Message from bob@example.net.\nPlease call me back",
  notes: [],
};

const target = (userId: string) => ({
  deliveryId: "d1",
  address: { scheme: "voicemail" as const, userId },
  attempt: 1,
});

beforeEach(async () => {
  t = await sqlite.open();
  await t.store.users.create(defaultProfile("alice", "Alice"), {});
  changed = [];
  adapter = new VoicemailAdapter({
    store: t.store,
    callerOf: async () => "bob@example.net",
    changed: (u) => changed.push(u),
  });
});
afterEach(() => t.cleanup());

test("a voice rendition becomes one new message; the hook fires; a retry adds nothing", async () => {
  assert.equal(adapter.handles({ scheme: "voicemail", userId: "alice" }), true);
  assert.equal(adapter.handles({ scheme: "mailto", email: "alice@example.com" }), false);
  const id = await adapter.send(mail, rendition, target("alice"));
  const again = await adapter.send(mail, rendition, target("alice"));
  assert.equal(again, id);
  const list = await t.store.voicemail.list("alice");
  assert.equal(list.length, 1);
  const vm = list[0]!;
  assert.equal(vm.ani, "bob@example.net");
  assert.equal(vm.communicationId, "c1");
  assert.equal(vm.audioId, "tts-c1");
  assert.equal(vm.durationMs, 2500);
  assert.equal(vm.state, "new");
  assert.equal(vm.transcript, rendition.text);
  assert.deepEqual(changed, ["alice"]);
});

test("text, or a box of no user, is refused for good", async () => {
  const text: Rendition = { medium: "text", subject: "s", text: "t", from: "b", notes: [] };
  await assert.rejects(
    adapter.send(mail, text, target("alice")),
    (e: unknown) => e instanceof DeliveryError && e.permanent,
  );
  await assert.rejects(
    adapter.send(mail, rendition, target("nobody")),
    (e: unknown) => e instanceof DeliveryError && e.permanent,
  );
  assert.deepEqual(changed, []);
});

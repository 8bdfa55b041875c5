// What a running omnivox answers parses with the wire schemas the web client uses
// (src/http/schemas): the profile, the session, the mailbox, the MWI state before and after a
// switch, the communications list and an error body, each as real JSON over HTTP.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { communicationListSchema } from "../src/http/schemas/communications.ts";
import { errorBodySchema } from "../src/http/schemas/error.ts";
import { mwiSnapshotSchema } from "../src/http/schemas/mwi.ts";
import { profileSchema } from "../src/http/schemas/profile.ts";
import { sessionAnswerSchema } from "../src/http/schemas/session.ts";
import { voicemailListSchema } from "../src/http/schemas/voicemail.ts";
import { startTestApp, type TestApp } from "./support/harness.ts";

let t: TestApp;

before(async () => {
  t = await startTestApp({});
  await t.addUser({
    id: "alice",
    password: "wonderland",
    emails: ["alice@example.com"],
    voicemailSystems: [
      { id: "internal", kind: "internal" },
      { id: "pbx", kind: "sip", uri: "sip:alice-box@127.0.0.1:9" },
    ],
    mwi: { enabled: true, supplemental: { timestamp: true }, phones: "all" },
  });
});

after(async () => {
  await t?.stop();
});

/** The body of a 2xx answer, parsed by `schema` exactly: nothing dropped, nothing added. */
function same<T>(schema: { parse(v: unknown): T }, res: { status: number; body: unknown }): T {
  assert.ok(res.status >= 200 && res.status < 300, JSON.stringify(res.body));
  const parsed = schema.parse(res.body);
  assert.deepEqual(parsed, res.body);
  return parsed;
}

test("profile, session, mailbox and MWI answers parse with their wire schemas", async () => {
  const profile = same(profileSchema, await t.api("GET", "/users/alice"));
  assert.equal(profile.mwi.phones, "all");
  same(
    sessionAnswerSchema,
    await t.api("POST", "/session", { user: "alice", password: "wonderland" }, ""),
  );
  assert.deepEqual(same(voicemailListSchema, await t.api("GET", "/users/alice/voicemail")), []);
  const mwi = same(mwiSnapshotSchema, await t.api("GET", "/users/alice/mwi"));
  assert.deepEqual(
    mwi.systems.map((s) => s.id),
    ["internal", "pbx"],
  );
  const off = same(
    mwiSnapshotSchema,
    await t.api("PUT", "/users/alice/mwi/pbx", { enabled: false }),
  );
  assert.equal(off.systems.find((s) => s.id === "pbx")?.enabled, false);
});

test("the communications list parses with its wire schema", async () => {
  const sent = await t.api("POST", "/messages", {
    userId: "alice",
    to: "mailto:bob@example.net",
    subject: "Lunch",
    text: "At noon?",
  });
  assert.ok(sent.status < 300, JSON.stringify(sent.body));
  const list = same(communicationListSchema, await t.api("GET", "/communications?userId=alice"));
  assert.equal(list.length, 1);
  assert.equal(list[0]?.subject, "Lunch");
  assert.equal(list[0]?.deliveries.length, 1);
});

test("a refusal's body parses with the error schema and names the field", async () => {
  const res = await t.api("PATCH", "/users/alice", { routes: [{ from: "fax", to: ["im"] }] });
  assert.equal(res.status, 400);
  const body = errorBodySchema.parse(res.body);
  assert.equal(body.field, "routes.0.from");
});

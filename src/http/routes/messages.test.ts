import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestServer } from "../../../test/support/http-app.ts";
import { ADMIN_TOKEN, startTestServer } from "../../../test/support/http-app.ts";
import { type Communication, isText, type VoiceCommunication } from "../../core/communication.ts";
import { generateTone } from "../../media/pcm.ts";
import { parseWav, pcm16ToWav } from "../../media/wav.ts";

type Json = Record<string, unknown>;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

describe("POST /api/v1/messages", () => {
  let t: TestServer;
  let alice: string;

  before(async () => {
    t = await startTestServer();
    alice = await t.userWithToken("alice");
  });
  after(() => t.close());

  it("submits a user's message to the gateway and answers 201", async () => {
    const res = await t.call("POST", "/api/v1/messages", {
      token: alice,
      body: { to: "tel:+1 555 0100", text: "call me back", inReplyTo: "c-7" },
    });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Json;
    assert.equal(typeof body.communicationId, "string");
    const draft = t.gateway.drafts.at(-1);
    assert.deepEqual(draft?.to, { scheme: "tel", number: "+15550100" });
    assert.deepEqual(draft?.from, { scheme: "web", userId: "alice", clientId: "api" });
    assert.equal(draft?.userId, "alice");
    assert.deepEqual(draft?.replyTo, [{ system: "omnivox", id: "c-7" }]);
  });

  it("names a bad target and keeps users to themselves", async () => {
    const bad = await t.call("POST", "/api/v1/messages", {
      token: alice,
      body: { to: "fax:123", text: "x" },
    });
    assert.equal(bad.status, 400);
    const err = (await bad.json()) as Json;
    assert.equal(err.field, "to");
    assert.match(String(err.message), /fax:123/);
    const other = await t.call("POST", "/api/v1/messages", {
      token: alice,
      body: { userId: "bob", to: "mailto:a@b.c", text: "x" },
    });
    assert.equal(other.status, 403);
    const admin = await t.call("POST", "/api/v1/messages", {
      token: ADMIN_TOKEN,
      body: { to: "mailto:a@b.c", text: "x" },
    });
    assert.equal(((await admin.json()) as Json).field, "userId");
    const asAlice = await t.call("POST", "/api/v1/messages", {
      token: ADMIN_TOKEN,
      body: { userId: "alice", to: "mailto:a@b.c", text: "x" },
    });
    assert.equal(asAlice.status, 201);
  });

  it("a malformed address or %-escape is a 400 naming the field, never a 500", async () => {
    for (const to of ["mailto:%", "mailto:%zz@b.c", "mailto:a%C3@b.c", "tel:%", "xmpp:%", "sip:"]) {
      const res = await t.call("POST", "/api/v1/messages", {
        token: alice,
        body: { to, text: "x" },
      });
      assert.equal(res.status, 400, to);
      const err = (await res.json()) as Json;
      assert.equal(err.field, "to", to);
      assert.equal(err.error, "OMNIVOX_ERR_VALIDATION", to);
    }
    for (const path of ["/api/v1/users/%", "/api/v1/users/%zz/voicemail", "/api/v1/users/a%C3"]) {
      const res = await t.call("GET", path, { token: alice });
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
    }
  });

  it("takes a voice message as a base64 WAV: stored as 8 kHz mono, routed as voice", async () => {
    const tone = generateTone(440, 1500, 16_000, 0.4);
    const res = await t.call("POST", "/api/v1/messages", {
      token: alice,
      body: { to: "tel:+15550100", audio: b64(pcm16ToWav(tone, 16_000)), requestId: "r-1" },
    });
    assert.equal(res.status, 201);
    const draft = t.gateway.drafts.at(-1);
    assert.ok(draft && draft.kind === "voicemail" && !isText(draft as Communication));
    assert.equal(draft.direction, "outbound");
    assert.deepEqual(draft.from, { scheme: "web", userId: "alice", clientId: "api" });
    const body = (draft as VoiceCommunication).body;
    assert.equal(body.durationMs, 1500);
    const blob = await t.store.audio.get(body.audioId);
    assert.ok(blob);
    const wav = parseWav(blob.data);
    assert.equal(wav.sampleRate, 8000);
    assert.equal(wav.frames, 12_000);
    // The same requestId again: the same blob, not a second one.
    await t.call("POST", "/api/v1/messages", {
      token: alice,
      body: { to: "tel:+15550100", audio: b64(pcm16ToWav(tone, 16_000)), requestId: "r-1" },
    });
    assert.equal((t.gateway.drafts.at(-1) as VoiceCommunication).body.audioId, body.audioId);
  });

  it("bad audio is a 400 naming the field, with the reason", async () => {
    const cases: Array<[Json, string, RegExp]> = [
      [{ audio: b64(Buffer.from("ID3 this is an mp3")) }, "audio", /not a WAV.*not a RIFF/],
      [{ audio: "not base64!" }, "audio", /base64/],
      [{ audio: b64(pcm16ToWav(new Int16Array(0), 8000)) }, "audio", /no samples/],
      [{ audio: b64(pcm16ToWav(new Int16Array(8000 * 200), 8000)) }, "audio", /longer than/],
      [{ audio: b64(pcm16ToWav(new Int16Array(80), 8000)), text: "x" }, "audio", /not both/],
      [{}, "text", /text or audio/],
    ];
    for (const [extra, field, reason] of cases) {
      const res = await t.call("POST", "/api/v1/messages", {
        token: alice,
        body: { to: "mailto:a@b.c", ...extra },
      });
      assert.equal(res.status, 400, JSON.stringify(extra).slice(0, 80));
      const err = (await res.json()) as Json;
      assert.equal(err.field, field);
      assert.match(String(err.message), reason);
    }
  });

  it("answers 500 without internals when the gateway fails", async () => {
    t.gateway.fail = new Error("SQLITE_CORRUPT at /secret/path");
    const res = await t.call("POST", "/api/v1/messages", {
      token: alice,
      body: { to: "mailto:a@b.c", text: "x" },
    });
    t.gateway.fail = undefined;
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), {
      error: "OMNIVOX_ERR_INTERNAL",
      message: "internal server error",
    });
  });
});

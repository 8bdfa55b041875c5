// The voicemail routes and the token-free audio link over real HTTP: listing newest first with
// signed links, audio with Content-Length and ranges, marking read, deleting with the audio,
// access rules, bad input, and the mailbox-changed hook on every change.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestServer } from "../../../test/support/http-app.ts";
import { ADMIN_TOKEN, SERVER_SECRET, startTestServer } from "../../../test/support/http-app.ts";
import { generateSweep } from "../../media/pcm.ts";
import { pcm16ToWav } from "../../media/wav.ts";
import type { VoicemailRecord } from "../../store/types.ts";
import { AudioUrlSigner } from "../audio-urls.ts";

type Json = Record<string, unknown>;

const WAV = Uint8Array.from({ length: 1000 }, (_, i) => (i < 4 ? "RIFF".charCodeAt(i) : i % 251));

function message(over: Partial<VoicemailRecord> & { id: string }): VoicemailRecord {
  return {
    userId: "alice",
    ani: "+15550001",
    dnis: "+15559999",
    receivedAt: new Date("2025-03-01T10:00:00Z"),
    durationMs: 42_000,
    audioId: `audio-${over.id}`,
    urgent: false,
    state: "new",
    ...over,
  };
}

describe("voicemail routes", () => {
  let t: TestServer;
  let alice: string;
  let bob: string;
  const changed: string[] = [];

  before(async () => {
    t = await startTestServer({
      deps: {
        onMailboxChanged: (userId) => {
          changed.push(userId);
        },
      },
    });
    alice = await t.userWithToken("alice");
    bob = await t.userWithToken("bob");
    for (const v of [
      message({ id: "m1" }),
      message({
        id: "m2",
        receivedAt: new Date("2025-03-02T08:30:00Z"),
        urgent: true,
        transcript: "Call me back",
        ani: undefined,
      }),
      message({ id: "m3", userId: "bob" }),
    ]) {
      await t.store.voicemail.insert(v);
      await t.store.audio.put(v.audioId, WAV, "audio/wav");
    }
  });
  after(() => t.close());

  it("lists a user's messages newest first, with signed audio links", async () => {
    const res = await t.call("GET", "/api/v1/users/alice/voicemail", { token: alice });
    assert.equal(res.status, 200);
    const list = (await res.json()) as Json[];
    assert.deepEqual(
      list.map((m) => m.id),
      ["m2", "m1"],
    );
    const [m2, m1] = list as [Json, Json];
    assert.deepEqual(m1.from, { ani: "+15550001" });
    assert.deepEqual(m2.from, { ani: null });
    assert.equal(m1.dnis, "+15559999");
    assert.equal(m1.receivedAt, "2025-03-01T10:00:00.000Z");
    assert.equal(m1.durationMs, 42_000);
    assert.equal(m1.state, "new");
    assert.equal(m2.urgent, true);
    assert.equal(m2.transcript, "Call me back");
    assert.equal("transcript" in m1, false);
    assert.match(String(m1.audioUrl), /^\/api\/v1\/audio\/audio-m1\?exp=\d+&sig=[\w-]{43}$/);

    // The link needs no token, and serves the recording.
    const audio = await fetch(t.base + String(m1.audioUrl));
    assert.equal(audio.status, 200);
    assert.equal(audio.headers.get("content-type"), "audio/wav");
    assert.equal(audio.headers.get("content-length"), "1000");
    assert.deepEqual(new Uint8Array(await audio.arrayBuffer()), WAV);

    const admin = await t.call("GET", "/api/v1/users/alice/voicemail", { token: ADMIN_TOKEN });
    assert.equal(((await admin.json()) as Json[]).length, 2);
  });

  it("refuses another user's mailbox, unknown users, and requests without a token", async () => {
    assert.equal(
      (await t.call("GET", "/api/v1/users/bob/voicemail", { token: alice })).status,
      403,
    );
    assert.equal((await t.call("GET", "/api/v1/users/alice/voicemail")).status, 401);
    const ghost = await t.call("GET", "/api/v1/users/ghost/voicemail", { token: ADMIN_TOKEN });
    assert.equal(ghost.status, 404);
    // Bob's message does not exist in Alice's box, whoever asks.
    for (const [method, token] of [
      ["GET", alice],
      ["PATCH", alice],
      ["DELETE", alice],
      ["GET", ADMIN_TOKEN],
    ] as const) {
      const res = await t.call(method, "/api/v1/users/alice/voicemail/m3", {
        token,
        ...(method === "PATCH" ? { body: { state: "saved" } } : {}),
      });
      assert.equal(res.status, 404, method);
    }
    const audio = await t.call("GET", "/api/v1/users/alice/voicemail/m3/audio", { token: alice });
    assert.equal(audio.status, 404);
    assert.equal((await t.store.voicemail.get("bob", "m3"))?.state, "new");
  });

  it("serves the audio with Content-Length and byte ranges", async () => {
    const full = await t.call("GET", "/api/v1/users/alice/voicemail/m1/audio", { token: alice });
    assert.equal(full.status, 200);
    assert.equal(full.headers.get("accept-ranges"), "bytes");
    assert.equal(full.headers.get("content-length"), "1000");
    assert.deepEqual(new Uint8Array(await full.arrayBuffer()), WAV);

    const part = await fetch(`${t.base}/api/v1/users/alice/voicemail/m1/audio`, {
      headers: { authorization: `Bearer ${alice}`, range: "bytes=10-19" },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 10-19/1000");
    assert.equal(part.headers.get("content-length"), "10");
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), WAV.slice(10, 20));

    const past = await fetch(`${t.base}/api/v1/users/alice/voicemail/m1/audio`, {
      headers: { authorization: `Bearer ${alice}`, range: "bytes=5000-" },
    });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get("content-range"), "bytes */1000");
  });

  it("marks a message saved and new again, telling the MWI hook each time", async () => {
    changed.length = 0;
    const saved = await t.call("PATCH", "/api/v1/users/alice/voicemail/m1", {
      token: alice,
      body: { state: "saved" },
    });
    assert.equal(saved.status, 200);
    assert.equal(((await saved.json()) as Json).state, "saved");
    assert.equal((await t.store.voicemail.get("alice", "m1"))?.state, "saved");
    assert.deepEqual(await t.store.voicemail.counts("alice"), {
      new: 1,
      old: 1,
      urgentNew: 1,
      urgentOld: 0,
    });
    const again = await t.call("PATCH", "/api/v1/users/alice/voicemail/m1", {
      token: ADMIN_TOKEN,
      body: { state: "new" },
    });
    assert.equal(again.status, 200);
    assert.equal((await t.store.voicemail.get("alice", "m1"))?.state, "new");
    assert.deepEqual(changed, ["alice", "alice"]);
  });

  it("refuses a bad PATCH body naming the field, and bad ids, without calling the hook", async () => {
    changed.length = 0;
    for (const [body, field] of [
      [{ state: "read" }, "state"],
      [{}, "state"],
      [{ state: "saved", urgent: true }, "urgent"],
    ] as const) {
      const res = await t.call("PATCH", "/api/v1/users/alice/voicemail/m1", { token: alice, body });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as Json).field, field);
    }
    const badId = await t.call("GET", "/api/v1/users/alice/voicemail/..%2Fx/audio", {
      token: alice,
    });
    assert.equal(badId.status, 400);
    assert.deepEqual(changed, []);
  });

  it("deletes a message and its audio, telling the MWI hook", async () => {
    changed.length = 0;
    const res = await t.call("DELETE", "/api/v1/users/alice/voicemail/m2", { token: alice });
    assert.equal(res.status, 204);
    assert.equal(await t.store.voicemail.get("alice", "m2"), undefined);
    assert.equal(await t.store.audio.get("audio-m2"), undefined);
    assert.deepEqual(changed, ["alice"]);
    const gone = await t.call("DELETE", "/api/v1/users/alice/voicemail/m2", { token: alice });
    assert.equal(gone.status, 404);
    assert.deepEqual(changed, ["alice"]);
    // Bob's token cannot delete in Alice's box.
    const other = await t.call("DELETE", "/api/v1/users/alice/voicemail/m1", { token: bob });
    assert.equal(other.status, 403);
    assert.ok(await t.store.voicemail.get("alice", "m1"));
  });

  it("serves a signed link's recording re-encoded as MP3 or Ogg when the link asks", async () => {
    await t.store.audio.put(
      "audio-enc",
      pcm16ToWav(generateSweep(300, 3000, 2000, 8000, 0.5), 8000),
      "audio/wav",
    );
    const link = t.base + new AudioUrlSigner(SERVER_SECRET).signAudioUrl("audio-enc", 60_000);
    const mp3 = await fetch(`${link}&format=mp3`);
    assert.equal(mp3.status, 200);
    assert.equal(mp3.headers.get("content-type"), "audio/mpeg");
    const frame = new Uint8Array(await mp3.arrayBuffer());
    // An ID3 tag or an MPEG audio frame's sync bits.
    assert.ok(
      (frame[0] === 0x49 && frame[1] === 0x44) ||
        (frame[0] === 0xff && (frame[1]! & 0xe0) === 0xe0),
    );
    const ogg = await fetch(`${link}&format=ogg`);
    assert.equal(ogg.headers.get("content-type"), "audio/ogg");
    assert.equal(
      Buffer.from(await ogg.arrayBuffer())
        .subarray(0, 4)
        .toString(),
      "OggS",
    );
    const wav = await fetch(`${link}&format=wav`);
    assert.equal(wav.headers.get("content-type"), "audio/wav");
    const flac = await fetch(`${link}&format=flac`);
    assert.equal(flac.status, 400);
    assert.equal(((await flac.json()) as Json).field, "format");
  });

  it("serves a message's recording to its owner as MP3 with format=mp3, with byte ranges", async () => {
    await t.store.voicemail.insert(message({ id: "m4" }));
    await t.store.audio.put(
      "audio-m4",
      pcm16ToWav(generateSweep(300, 3000, 2000, 8000, 0.5), 8000),
      "audio/wav",
    );
    const path = "/api/v1/users/alice/voicemail/m4/audio";
    const mp3 = await t.call("GET", `${path}?format=mp3`, { token: alice });
    assert.equal(mp3.status, 200);
    assert.equal(mp3.headers.get("content-type"), "audio/mpeg");
    const whole = new Uint8Array(await mp3.arrayBuffer());
    const part = await fetch(`${t.base}${path}?format=mp3`, {
      headers: { authorization: `Bearer ${alice}`, range: "bytes=0-9" },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 0-9/${whole.byteLength}`);
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), whole.subarray(0, 10));
    const bad = await t.call("GET", `${path}?format=aac`, { token: alice });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Json).field, "format");
    assert.equal((await t.call("GET", `${path}?format=mp3`, { token: bob })).status, 403);
    await t.store.voicemail.delete("alice", "m4");
  });

  it("answers 403 to forged or expired audio links and 400 to malformed ones", async () => {
    const list = (await (
      await t.call("GET", "/api/v1/users/alice/voicemail", { token: alice })
    ).json()) as Json[];
    const url = new URL(String(list[0]?.audioUrl), t.base);
    const exp = url.searchParams.get("exp") ?? "";
    const sig = url.searchParams.get("sig") ?? "";
    // The first character: all six of its bits count (the last one's low bits may be padding).
    const forged = (sig.startsWith("A") ? "B" : "A") + sig.slice(1);
    assert.equal(
      (await fetch(`${t.base}/api/v1/audio/audio-m1?exp=${exp}&sig=${forged}`)).status,
      403,
    );
    assert.equal(
      (await fetch(`${t.base}/api/v1/audio/audio-m3?exp=${exp}&sig=${sig}`)).status,
      403,
    );
    const later = Number(exp) + 1;
    assert.equal(
      (await fetch(`${t.base}/api/v1/audio/audio-m1?exp=${later}&sig=${sig}`)).status,
      403,
    );
    // Correctly signed (same admin token) but past its expiry.
    const stale = new AudioUrlSigner(SERVER_SECRET, () => Date.now() - 10_000);
    const expired = await fetch(t.base + stale.signAudioUrl("audio-m1", 1000));
    assert.equal(expired.status, 403);
    assert.match(((await expired.json()) as Json).message as string, /expired/);
    // A valid link to a recording deleted since answers 404.
    const fresh = new AudioUrlSigner(SERVER_SECRET);
    assert.equal((await fetch(t.base + fresh.signAudioUrl("audio-m2", 60_000))).status, 404);
    const noSig = await fetch(`${t.base}/api/v1/audio/audio-m1?exp=${exp}`);
    assert.equal(noSig.status, 400);
    assert.equal(((await noSig.json()) as Json).field, "sig");
    // The signature never reaches the log.
    assert.ok(!t.logs.join("").includes(sig));
  });
});

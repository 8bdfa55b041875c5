// DELETE /api/v1/users/:id as its log shows it: one "user erased" line with the rows deleted per
// table and no content (callers, transcripts), and an audio file that will not go is logged by id
// while the erasure itself still succeeds — the row that named it is gone either way.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestServer } from "../../../test/support/http-app.ts";
import { startTestServer } from "../../../test/support/http-app.ts";

type LogLine = Record<string, unknown> & { msg?: string };

describe("erasing a user, as logged", () => {
  let t: TestServer;
  let zed: string;

  before(async () => {
    t = await startTestServer();
    zed = await t.userWithToken("zed");
    for (const [id, audioId] of [
      ["zed-1", "vm-zed-1"],
      ["zed-2", "vm-zed-2"],
    ] as const) {
      await t.store.audio.put(audioId, Uint8Array.of(1, 2, 3), "audio/wav");
      await t.store.voicemail.insert({
        id,
        userId: "zed",
        receivedAt: new Date(),
        durationMs: 1000,
        audioId,
        urgent: false,
        state: "new",
        ani: "+15557654321",
        transcript: "my bank password is hunter2",
      });
    }
  });
  after(() => t.close());

  it("logs counts, names the audio that stayed, and erases the rows all the same", async () => {
    const audio = t.store.audio;
    const remove = audio.delete.bind(audio);
    audio.delete = async (id) => {
      if (id === "vm-zed-2") throw new Error("EACCES: permission denied");
      return remove(id);
    };
    const from = t.logs.length;
    // A user may erase themselves.
    const res = await t.call("DELETE", "/api/v1/users/zed", { token: zed });
    assert.equal(res.status, 204);
    audio.delete = remove;

    const lines = t.logs.slice(from).map((l) => JSON.parse(l) as LogLine);
    const erased = lines.filter((l) => l.msg === "user erased");
    assert.equal(erased.length, 1);
    const line = erased[0]!;
    assert.equal(line.userId, "zed");
    assert.equal(line.by, "user");
    assert.equal(line.audioFailed, 1);
    const rows = line.rows as Record<string, number>;
    assert.equal(rows.users, 1);
    assert.equal(rows.voicemail_messages, 2);
    assert.equal(rows.sessions, 0, "the session was revoked, with its streams, just before");
    const kept = lines.find((l) => l.msg === "erased user's audio not removed");
    assert.equal(kept?.audioId, "vm-zed-2");
    assert.match(String(kept?.error), /EACCES/);
    const logged = t.logs.slice(from).join("\n");
    assert.doesNotMatch(logged, /hunter2|15557654321/, "no content or caller in the log");

    assert.equal(await t.store.users.get("zed"), undefined);
    assert.deepEqual(await t.store.voicemail.list("zed"), []);
    assert.equal(await t.store.audio.get("vm-zed-1"), undefined);
    assert.ok(await t.store.audio.get("vm-zed-2"), "the blob that would not go is still there");
    assert.deepEqual([...(await t.store.audioInUse(["vm-zed-2"]))], [], "and no row names it");
    // The token died with the user.
    const after = await t.call("GET", "/api/v1/users/zed", { token: zed });
    assert.equal(after.status, 401);
  });
});

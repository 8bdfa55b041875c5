import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AudioBlob } from "./audio-reply.ts";
import { Recordings } from "./recordings.ts";

const WAV: AudioBlob = { data: new Uint8Array([1, 2, 3]), contentType: "audio/wav" };

function recordings(maxBytes?: number) {
  const stored = new Map<string, AudioBlob>([
    ["a", WAV],
    ["b", WAV],
  ]);
  const encodes: string[] = [];
  const r = new Recordings({
    load: async (id) => stored.get(id),
    encode: async (_wav, format) => {
      encodes.push(format);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return new Uint8Array(10).fill(format === "mp3" ? 3 : 7);
    },
    ...(maxBytes !== undefined ? { maxBytes } : {}),
  });
  return { r, stored, encodes };
}

describe("recordings", () => {
  it("serves the stored WAV as it is and encodes each other format once", async () => {
    const { r, encodes } = recordings();
    assert.equal(await r.get("a"), WAV);
    assert.equal(await r.get("a", "wav"), WAV);
    const [one, two] = await Promise.all([r.get("a", "mp3"), r.get("a", "mp3")]);
    assert.equal(one?.contentType, "audio/mpeg");
    assert.deepEqual(one?.data, two?.data);
    assert.equal((await r.get("a", "mp3"))?.data[0], 3);
    assert.equal((await r.get("a", "ogg"))?.contentType, "audio/ogg");
    assert.deepEqual(encodes, ["mp3", "ogg"]);
  });

  it("forgets the oldest encodings past its byte bound", async () => {
    const { r, encodes } = recordings(20);
    await r.get("a", "mp3");
    await r.get("b", "mp3");
    await r.get("a", "mp3"); // a is now the newest
    await r.get("a", "ogg"); // 30 bytes: b goes
    await r.get("a", "mp3");
    await r.get("b", "mp3");
    assert.deepEqual(encodes, ["mp3", "mp3", "ogg", "mp3"]);
  });

  it("answers nothing for a deleted recording even while its encoding is cached", async () => {
    const { r, stored } = recordings();
    assert.ok(await r.get("a", "mp3"));
    stored.delete("a");
    assert.equal(await r.get("a", "mp3"), undefined);
  });

  it("does not keep a failed encode: the next request tries again", async () => {
    let fail = true;
    const r = new Recordings({
      load: async () => WAV,
      encode: async () => {
        if (fail) throw new Error("encoder crashed");
        return new Uint8Array(4);
      },
    });
    await assert.rejects(r.get("a", "ogg"), /encoder crashed/);
    fail = false;
    assert.equal((await r.get("a", "ogg"))?.data.byteLength, 4);
  });
});

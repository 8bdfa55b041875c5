// The user's two greetings in the voicemail store, on both database dialects: the busy one is
// kept beside the unavailable one, and a user without a busy greeting gets the other.

import assert from "node:assert/strict";
import { test } from "node:test";
import { testDialects } from "../../../test/support/store.ts";
import type { Gateway } from "../../core/ports.ts";
import { generateTone } from "../../media/pcm.ts";
import { verifySecret } from "../../store/secrets.ts";
import { VoicemailStore } from "./store.ts";

const gateway = {} as Gateway; // greetings never reach the gateway

for (const dialect of await testDialects()) {
  test(`${dialect.name}: busy and unavailable greetings`, { skip: dialect.skip }, async () => {
    const t = await dialect.open();
    try {
      const box = new VoicemailStore(t.store, gateway, "example.com", () => {}, verifySecret);
      assert.equal(await box.greetingFor("alice"), undefined);
      assert.equal(await box.greetingFor("alice", "busy"), undefined);
      const usual = generateTone(500, 400);
      await box.saveGreeting("alice", usual);
      // No busy greeting yet: the unavailable one stands in.
      assert.deepEqual(await box.greetingFor("alice", "busy"), usual);
      const busy = generateTone(900, 300);
      await box.saveGreeting("alice", busy, "busy");
      assert.deepEqual(await box.greetingFor("alice", "busy"), busy);
      assert.deepEqual(await box.greetingFor("alice"), usual);
      assert.deepEqual(await box.greetingFor("alice", "unavailable"), usual);
    } finally {
      await t.cleanup();
    }
  });
}

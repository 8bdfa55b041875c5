import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeLeg } from "../../../test/support/fake-leg.ts";
import type { OutboundLeg } from "../../core/telephony.ts";
import { relay } from "./takeover.ts";

test("relay forwards the caller's audio but not the silence made up for missing packets", async () => {
  const caller = new FakeLeg();
  const sent: Int16Array[] = [];
  let end!: () => void;
  const other: OutboundLeg = {
    sendFrame: (pcm) => sent.push(pcm.slice()),
    onFrame: () => () => {},
    ended: new Promise<void>((resolve) => {
      end = resolve;
    }),
    hangup: async () => end(),
  };
  const relayed = relay(caller, () => {}, other);
  await caller.recording();
  const voice = new Int16Array(160).fill(1000);
  caller.frame(voice);
  caller.frame(new Int16Array(160), true); // the line's clock: the other leg's keep-alive covers it
  caller.frame(new Int16Array(160)); // real silence the caller sent is audio like any other
  caller.frame(voice);
  end();
  await relayed;
  assert.equal(sent.length, 3);
});

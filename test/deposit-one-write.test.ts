// A voicemail deposit is one write, on both database dialects: when the mailbox row cannot be
// written (a real primary-key violation) nothing of the deposit commits — no communication, no
// delivery, no mail at the SMTP sink, no MWI change — and its audio is swept as an orphan; a
// deposit that commits is mailed, and its MWI change comes only once its row can be read.

import assert from "node:assert/strict";
import { test } from "node:test";
import { VoicemailStore } from "../src/adapters/voicemail/store.ts";
import { ConflictError } from "../src/core/errors.ts";
import type { DepositedMessage } from "../src/core/mailbox.ts";
import { defaultProfile } from "../src/core/profile.ts";
import { sweepOrphanAudio } from "../src/gateway/orphan-audio.ts";
import { verifySecret } from "../src/store/secrets.ts";
import { withGatewayPipeline } from "./support/gateway-pipeline.ts";
import { testDialects } from "./support/store.ts";

const WAV = Uint8Array.from({ length: 2048 }, (_, i) => (i * 11) % 256);

function deposit(callId: string): DepositedMessage {
  return {
    userId: "alice",
    audio: WAV,
    durationMs: 5000,
    party: { ani: "+15550001", dnis: "+15559999" },
    callId,
    receivedAt: new Date(),
    transcript: `message ${callId}`,
  };
}

for (const dialect of await testDialects()) {
  test(
    `${dialect.name}: a deposit whose mailbox row fails leaves nothing behind`,
    { skip: dialect.skip },
    () =>
      withGatewayPipeline(dialect, async (t, p) => {
        const { store } = t;
        await store.users.create(
          {
            ...defaultProfile("alice", "Alice"),
            emails: ["alice@example.com"],
            routes: [{ from: "voicemail", to: ["email"] }],
          },
          {},
        );
        await store.users.create(defaultProfile("bob"), {});
        // Message ids are unique across boxes: bob's message takes the id alice's deposit gets.
        await store.voicemail.insert({
          id: "call-taken",
          userId: "bob",
          receivedAt: new Date(),
          durationMs: 1000,
          audioId: "rec-bob",
          urgent: false,
          state: "new",
        });
        // Each MWI change, with what the box held when it came.
        const changes: Array<Promise<string[]>> = [];
        const box = new VoicemailStore(
          store,
          p.receiver,
          "example.com",
          (userId) => {
            changes.push(store.voicemail.list(userId).then((l) => l.map((m) => m.id)));
          },
          verifySecret,
        );

        await assert.rejects(box.deposit(deposit("call-taken")), ConflictError);
        assert.deepEqual(await store.communications.listForUser("alice"), []);
        assert.deepEqual(await store.outbox.countByState(), []);
        assert.deepEqual(await store.voicemail.list("alice"), []);
        assert.equal(changes.length, 0, "no MWI change for a deposit that did not commit");
        assert.ok(await store.audio.get("vm-call-taken"), "the audio was written first");

        await box.deposit(deposit("call-ok"));
        assert.deepEqual(await Promise.all(changes), [["call-ok"]]);
        // Repeated (as after a full disk): the same message, not a second one.
        await box.deposit(deposit("call-ok"));
        const [only, ...none] = await store.communications.listForUser("alice");
        assert.equal(none.length, 0);
        assert.deepEqual(
          (await store.voicemail.list("alice")).map((m) => [m.id, m.communicationId]),
          [["call-ok", only?.communication.id]],
        );

        await p.worker.start();
        const [mail] = await p.sink.waitFor(1, 15_000);
        assert.equal(mail?.parsed.headers.get("x-omnivox-communication"), only?.communication.id);
        assert.match(mail?.parsed.text ?? "", /message call-ok/);
        await p.worker.stop();
        // Every delivery there is has been made: had the failed deposit left one, it would be here.
        assert.deepEqual(await store.outbox.countByState(), [
          { state: "delivered", scheme: "mailto", count: 1 },
        ]);
        assert.equal(p.sink.mails.length, 1);

        const { swept } = await sweepOrphanAudio(store, new Date(Date.now() + 5_000), 1_000);
        assert.deepEqual(swept, ["vm-call-taken"]);
        assert.equal(await store.audio.get("vm-call-taken"), undefined);
        assert.ok(await store.audio.get("vm-call-ok"), "committed audio stays");
      }),
  );
}

// The route is decided once, at receive: a voicemail routed while the profile said
// `transcribe: false` is mailed without its transcript even when the profile says otherwise by
// the time the outbox delivers it, and the other way round — asserted on the mail the SMTP sink
// received, on both database dialects.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommunicationDraft } from "../src/core/ports.ts";
import { defaultProfile, type Profile } from "../src/core/profile.ts";
import { withGatewayPipeline } from "./support/gateway-pipeline.ts";
import { testDialects } from "./support/store.ts";

const WAV = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) % 256);

function alice(transcribe: boolean): Profile {
  return {
    ...defaultProfile("alice", "Alice"),
    emails: ["alice@example.com"],
    routes: [{ from: "voicemail", to: ["email"], transcribe }],
  };
}

function voicemail(callId: string, transcript: string): CommunicationDraft {
  return {
    kind: "voicemail",
    direction: "inbound",
    userId: "alice",
    from: { scheme: "tel", number: "+15550001" },
    to: { scheme: "tel", number: "+15559999" },
    receivedAt: new Date(),
    nativeRefs: [{ system: "voicemail", id: callId }],
    warnings: [],
    body: { audioId: `vm-${callId}`, durationMs: 4000, transcript },
    ani: "+15550001",
    dnis: "+15559999",
  };
}

for (const dialect of await testDialects()) {
  test(
    `${dialect.name}: render follows the route options matched at receive, not the profile of the day`,
    { skip: dialect.skip },
    () =>
      withGatewayPipeline(dialect, async (t, p) => {
        const { store } = t;
        await store.users.create(alice(false), {});
        await store.audio.put("vm-call-1", WAV, "audio/wav");
        await store.audio.put("vm-call-2", WAV, "audio/wav");

        const quiet = await p.receiver.receive(voicemail("call-1", "please call me back"));
        await store.users.update("alice", alice(true));
        const spoken = await p.receiver.receive(voicemail("call-2", "see you at noon"));
        await store.users.update("alice", alice(false));

        const rows = await store.communications.listForUser("alice");
        const routeOf = (id: string) =>
          rows.find((r) => r.communication.id === id)?.deliveries.map((d) => d.route);
        assert.deepEqual(routeOf(quiet.id), [{ transcribe: false }]);
        assert.deepEqual(routeOf(spoken.id), [{ transcribe: true }]);

        await p.worker.start();
        const mails = await p.sink.waitFor(2, 15_000);
        const mailOf = (id: string) =>
          mails.find((m) => m.parsed.headers.get("x-omnivox-communication") === id);
        const quietText = mailOf(quiet.id)?.parsed.text ?? "";
        const spokenText = mailOf(spoken.id)?.parsed.text ?? "";
        assert.match(quietText, /Listen: http:\/\/omnivox\.test\/api\/v1\/audio\/vm-call-1/);
        assert.doesNotMatch(quietText, /Transcript:|call me back/);
        assert.match(spokenText, /Transcript:\s+see you at noon/);
        assert.equal(mailOf(spoken.id)?.parsed.attachments.length, 1);
      }),
  );
}

// SMTP out for voicemail: the recording named by the rendition is attached as WAV, and a missing
// or unreadable blob sends the mail without it and with a note — never loses it.

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { pino } from "pino";
import { type SmtpSink, startSmtpSink } from "../../../test/support/smtp-sink.ts";
import { testVoicemail } from "../../../test/support/store.ts";
import type { VoiceCommunication } from "../../core/communication.ts";
import type { DeliveryTarget } from "../../core/ports.ts";
import { voiceToText } from "../../gateway/convert/voice.ts";
import { MISSING_ATTACHMENT_NOTE } from "./compose.ts";
import { EmailAdapter } from "./smtp-out.ts";

const logger = pino({ level: "silent" });
const WAV = Uint8Array.from({ length: 4000 }, (_, i) => (i * 7) % 256);
const links = { urlFor: (id: string) => `https://um.example.test/api/v1/audio/${id}?exp=1&sig=x` };

const voicemail: VoiceCommunication = testVoicemail({ dnis: undefined });

const target: DeliveryTarget = {
  deliveryId: "d-1",
  address: { scheme: "mailto", email: "alice@example.test" },
  attempt: 1,
};

describe("smtp out: voicemail attachments", () => {
  let sink: SmtpSink;
  const blobs = new Map<string, Uint8Array>([["rec-1", WAV]]);
  let failLoad = false;
  let adapter: EmailAdapter;

  before(async () => {
    sink = await startSmtpSink();
    const port = sink.port;
    adapter = new EmailAdapter({
      host: "127.0.0.1",
      port,
      secure: false,
      fromDomain: "example.test",
      logger,
      loadAudio: async (id) => {
        if (failLoad) throw new Error("store unreachable");
        return blobs.get(id);
      },
    });
  });
  after(async () => {
    await adapter.stop();
    await sink.close();
  });
  beforeEach(() => {
    sink.reset();
    failLoad = false;
  });

  it("attaches the recording as audio/wav under the rendition's file name", async () => {
    const rendition = voiceToText(voicemail, links, "mail");
    assert.equal(await adapter.send(voicemail, rendition, target), "vm-1@example.test");
    const { parsed } = sink.mails[0]!;
    assert.equal(parsed.subject, "Voicemail from Bob, +15550001 (0:03)");
    assert.equal(parsed.from?.value[0]?.name, "Bob via omnivox");
    assert.equal(parsed.attachments.length, 1);
    const [a] = parsed.attachments;
    assert.equal(a?.filename, "voicemail-20250301-100405.wav");
    assert.equal(a?.contentType, "audio/wav");
    assert.deepEqual(new Uint8Array(a?.content ?? []), WAV);
    assert.match(parsed.text ?? "", /Listen: https:\/\/um\.example\.test\/api\/v1\/audio\/rec-1/);
    assert.equal((parsed.text ?? "").match(/Listen:/g)?.length, 1);
    assert.doesNotMatch(parsed.text ?? "", /could not be attached/);
  });

  it("sends without the attachment, saying so, when the blob is gone or unreadable", async () => {
    const gone = { ...voicemail, id: "vm-2", body: { audioId: "rec-gone", durationMs: 3000 } };
    await adapter.send(gone, voiceToText(gone, links, "mail"), target);
    failLoad = true;
    await adapter.send(voicemail, voiceToText(voicemail, links, "mail"), target);
    assert.equal(sink.mails.length, 2);
    for (const { parsed } of sink.mails) {
      assert.equal(parsed.attachments.length, 0);
      assert.ok(parsed.text?.includes(MISSING_ATTACHMENT_NOTE));
      assert.match(parsed.text ?? "", /Listen: /);
    }
  });

  it("a chat-style rendition (no attachment) never loads audio", async () => {
    failLoad = true;
    await adapter.send(voicemail, voiceToText(voicemail, links, "chat"), target);
    const { parsed } = sink.mails[0]!;
    assert.equal(parsed.attachments.length, 0);
    assert.doesNotMatch(parsed.text ?? "", /could not be attached/);
  });
});

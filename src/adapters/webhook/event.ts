// The JSON event a webhook receives (README "Webhooks"): one communication, as an app reads it —
// who it is from and for, its text or transcript, and a signed link to its audio. The schema is
// the contract: apps may parse with it, and the adapter builds nothing it does not describe.

import { z } from "zod";
import { displayAddress, formatAddress } from "../../core/address.ts";
import { type Communication, isText } from "../../core/communication.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { Rendition } from "../../core/rendition.ts";
import { SYSTEM_KINDS } from "../../core/system.ts";

const party = z.strictObject({
  /** The canonical URI: `tel:+15551234`, `mailto:bob@example.net`. */
  address: z.string(),
  /** A label for people: "Bob <+15551234>". */
  display: z.string(),
});

export const webhookEventSchema = z.strictObject({
  /** The delivery's id: the same on every retry, so a receiver shows the event once. */
  id: z.string(),
  type: z.literal("communication.received"),
  /** When omnivox received the communication (ISO 8601, UTC). */
  at: z.iso.datetime(),
  communication: z.strictObject({
    id: z.string(),
    /** The system it arrived from. */
    kind: z.enum(SYSTEM_KINDS),
    from: party,
    to: party,
    subject: z.string().optional(),
    /** The plain text of a mail or chat message. */
    text: z.string().optional(),
    /** What a recording says, when it was transcribed and the route allows it. */
    transcript: z.string().optional(),
    durationMs: z.number().int().nonnegative().optional(),
    /** The recording, re-encoded in the route's audio format; the link expires. */
    audio: z.strictObject({ url: z.url(), contentType: z.string() }).optional(),
    /** Problems met on the way that did not stop delivery (no transcript, broken MIME). */
    notes: z.array(z.string()),
  }),
});

export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** The event for one delivery of `c`, from its rendition for an app ("event" style). */
export function webhookEvent(
  c: Communication,
  rendition: Rendition,
  deliveryId: string,
): WebhookEvent {
  if (rendition.medium !== "text")
    throw new DeliveryError(`a webhook takes a text rendition, got ${rendition.medium}`, true);
  const communication: WebhookEvent["communication"] = {
    id: c.id,
    kind: c.kind,
    from: { address: formatAddress(c.from), display: rendition.from },
    to: { address: formatAddress(c.to), display: displayAddress(c.to) },
    subject: rendition.subject,
    notes: rendition.notes,
  };
  if (isText(c)) communication.text = rendition.text;
  else communication.durationMs = c.body.durationMs;
  if (rendition.transcript !== undefined) communication.transcript = rendition.transcript;
  if (rendition.audioUrl !== undefined) {
    communication.audio = {
      url: rendition.audioUrl,
      contentType: rendition.attachment?.contentType ?? "audio/wav",
    };
  }
  return {
    id: deliveryId,
    type: "communication.received",
    at: c.receivedAt.toISOString(),
    communication,
  };
}

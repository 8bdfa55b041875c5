// Canonical → web client: a text rendition becomes a `message` event whose id is the delivery id,
// so a re-sent event after a reconnect carries the same id and the client can drop duplicates.

import type { Communication } from "../../core/communication.ts";
import type { TextRendition } from "../../core/rendition.ts";
import type { MessageEvent } from "./frames.ts";

export function messageEvent(
  communication: Communication,
  rendition: TextRendition,
  deliveryId: string,
): MessageEvent {
  const event: MessageEvent = {
    id: deliveryId,
    type: "message",
    communicationId: communication.id,
    threadId: communication.thread.threadId,
    from: rendition.from,
    text: rendition.text,
    receivedAt: communication.receivedAt.toISOString(),
  };
  if (rendition.subject) event.subject = rendition.subject;
  if (rendition.audioUrl) event.audioUrl = rendition.audioUrl;
  if (rendition.notes.length > 0) event.warnings = [...rendition.notes];
  return event;
}

// The message list after a reload: the stream sends a message to this page only once, so what
// arrived before comes from GET /communications — the inbound communications delivered to one of
// the user's web clients, shaped as the stream's `message` events would have shown them.

import type { CommunicationJson, MessageEvent } from "./schemas.ts";

function label(from: CommunicationJson["from"]): string {
  switch (from.scheme) {
    case "mailto":
      return from.name ? `${from.name} <${from.email ?? ""}>` : (from.email ?? "");
    case "tel":
      return from.number ?? "";
    case "xmpp":
      return from.jid ?? "";
    case "sip":
      return from.uri ?? "";
    case "webhook":
      return from.id;
    default:
      return from.userId ?? from.scheme;
  }
}

export function historyMessages(list: CommunicationJson[], userId: string): MessageEvent[] {
  const web = `web:${userId}/`;
  return list
    .filter(
      (c) =>
        c.direction === "inbound" &&
        c.deliveries.some((d) => d.target.startsWith(web) && d.state === "delivered"),
    )
    .map((c) => ({
      id: `history-${c.id}`,
      type: "message" as const,
      communicationId: c.id,
      threadId: c.thread.threadId,
      from: label(c.from),
      ...(c.subject !== undefined ? { subject: c.subject } : {}),
      text: "text" in c.body ? c.body.text : (c.body.transcript ?? "(voice message)"),
      receivedAt: c.receivedAt,
    }));
}

/** Stream messages and history together, one entry per communication, newest first. */
export function mergeMessages(shown: MessageEvent[], older: MessageEvent[]): MessageEvent[] {
  const seen = new Set(shown.map((m) => m.communicationId));
  return [...shown, ...older.filter((m) => !seen.has(m.communicationId))].sort((a, b) =>
    b.receivedAt.localeCompare(a.receivedAt),
  );
}

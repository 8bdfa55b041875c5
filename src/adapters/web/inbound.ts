// Web client → canonical: a `send` frame becomes an outbound IM communication draft for the
// gateway. `requestId` doubles as a native id, so a client that re-sends after a lost reply gets
// the same communication back instead of a second one.

import type { Logger } from "pino";
import type { Address } from "../../core/address.ts";
import { formatAddress, parseAddress } from "../../core/address.ts";
import { OmnivoxError, ValidationError } from "../../core/errors.ts";
import type { CommunicationDraft, Gateway } from "../../core/ports.ts";
import type { ReplyFrame, SendFrame } from "./frames.ts";

/**
 * README "The outside contract" names mailto:, tel: and xmpp:; sip: is an extension. web: would
 * loop back to us.
 */
const SENDABLE = new Set<Address["scheme"]>(["mailto", "tel", "xmpp", "sip"]);

/** The address a user may send to; ValidationError on field "to" naming the input otherwise. */
export function parseSendTarget(input: string): Address {
  let to: Address;
  try {
    to = parseAddress(input);
  } catch (err) {
    if (err instanceof OmnivoxError) throw new ValidationError("to", err.message);
    throw err;
  }
  if (!SENDABLE.has(to.scheme)) {
    throw new ValidationError("to", `cannot send to "${input}": use mailto:, tel: or xmpp:`);
  }
  return to;
}

export interface WebClientId {
  userId: string;
  clientId: string;
}

/** Also used by POST /api/v1/messages, with clientId "api". */
export function sendDraft(
  frame: Omit<SendFrame, "type" | "to">,
  client: WebClientId,
  to: Address,
): CommunicationDraft {
  const from: Address = { scheme: "web", userId: client.userId, clientId: client.clientId };
  return {
    kind: "im",
    direction: "outbound",
    userId: client.userId,
    from,
    to,
    subject: frame.subject,
    body: { text: frame.text },
    receivedAt: new Date(),
    nativeRefs: frame.requestId
      ? [{ system: "im", id: `${formatAddress(from)}#${frame.requestId}` }]
      : [],
    warnings: [],
    // Our own communication id, resolved by the gateway to the thread it belongs to.
    replyTo: frame.inReplyTo ? [{ system: "omnivox", id: frame.inReplyTo }] : undefined,
  };
}

export async function handleSend(
  frame: SendFrame,
  client: WebClientId,
  gateway: Pick<Gateway, "receive">,
  logger: Logger,
): Promise<ReplyFrame> {
  const { requestId } = frame;
  try {
    const to = parseSendTarget(frame.to);
    const communication = await gateway.receive(sendDraft(frame, client, to));
    return {
      type: "sent",
      requestId,
      communicationId: communication.id,
      threadId: communication.thread.threadId,
    };
  } catch (err) {
    if (err instanceof ValidationError) {
      return { type: "error", requestId, message: err.message, field: err.field };
    }
    if (err instanceof OmnivoxError && err.statusCode < 500) {
      return { type: "error", requestId, message: err.message };
    }
    logger.error({ err, userId: client.userId }, "web client send failed");
    return { type: "error", requestId, message: "the message could not be accepted; try again" };
  }
}

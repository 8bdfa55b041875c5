// What a webhook's answer means for the delivery (the outbox's contract, core/ports.ts Adapter):
// 2xx delivered, 408, 429 and 5xx tried again later, any other status failed for good. Redirects
// are not followed: a POST re-sent elsewhere would carry the signature to a URL nobody configured.

import { z } from "zod";
import { DeliveryError } from "../../core/errors.ts";

/** What is kept of an answer's body: enough for an id or an error message, never more. */
export const MAX_ANSWER_BYTES = 4096;
const EXCERPT_CHARS = 200;

export interface WebhookAnswer {
  status: number;
  statusText: string;
  /** `Retry-After` and `Location`, when the endpoint sent them. */
  retryAfter?: string;
  location?: string;
  /** The first MAX_ANSWER_BYTES of the body. */
  body: Uint8Array;
}

/** An answer `{"id": "…"}` names the event in the app; anything else names nothing. */
const answerIdSchema = z.object({ id: z.string().min(1).max(200) });

/** The native id of a delivered event; throws DeliveryError for any other answer. */
export function outcomeOf(webhook: string, answer: WebhookAnswer): string | undefined {
  const { status } = answer;
  const said = `webhook ${webhook}: ${status}${answer.statusText ? ` ${answer.statusText}` : ""}`;
  if (status >= 200 && status < 300) return nativeIdOf(answer.body);
  if (status >= 300 && status < 400) {
    const to = answer.location ? ` to ${excerpt(new TextEncoder().encode(answer.location))}` : "";
    throw new DeliveryError(
      `${said} redirects${to}; redirects are not followed, set webhooks[].url to the final URL`,
      true,
    );
  }
  const body = excerpt(answer.body);
  const text = body ? `: ${body}` : "";
  if (status === 408 || status === 429 || status >= 500) {
    const after = answer.retryAfter
      ? ` (Retry-After ${excerpt(new TextEncoder().encode(answer.retryAfter))})`
      : "";
    throw new DeliveryError(`${said}${after}${text}`);
  }
  throw new DeliveryError(`${said}${text}`, true);
}

function nativeIdOf(body: Uint8Array): string | undefined {
  if (body.length === 0 || body.length >= MAX_ANSWER_BYTES) return undefined;
  try {
    const parsed = answerIdSchema.safeParse(JSON.parse(new TextDecoder().decode(body)));
    return parsed.success ? parsed.data.id : undefined;
  } catch {
    return undefined;
  }
}

/** Printable, on one line and short: it goes into a log line and the delivery's lastError. */
export function excerpt(bytes: Uint8Array): string {
  const text = new TextDecoder()
    .decode(bytes)
    .replace(/[\p{Cc}\s]+/gu, " ")
    .trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

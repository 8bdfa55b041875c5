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
  // The reason phrase and headers are the endpoint's words: as bounded as its body.
  const reason = excerpt(answer.statusText);
  const said = `webhook ${webhook}: ${status}${reason ? ` ${reason}` : ""}`;
  if (status >= 200 && status < 300) return nativeIdOf(answer.body);
  if (status >= 300 && status < 400) {
    const to = answer.location ? ` to ${excerpt(answer.location)}` : "";
    throw new DeliveryError(
      `${said} redirects${to}; redirects are not followed, set webhooks[].url to the final URL`,
      true,
    );
  }
  const body = excerpt(new TextDecoder().decode(answer.body));
  const text = body ? `: ${body}` : "";
  if (status === 408 || status === 429 || status >= 500) {
    const after = answer.retryAfter ? ` (Retry-After ${excerpt(answer.retryAfter)})` : "";
    const retryAfterMs = retryAfterMsOf(answer.retryAfter);
    throw new DeliveryError(
      `${said}${after}${text}`,
      false,
      retryAfterMs === undefined ? {} : { retryAfterMs },
    );
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

/**
 * RFC 9110 §10.2.3: `Retry-After` is delay-seconds or an HTTP-date; undefined when it is neither
 * (or absent), 0 for a date already past.
 */
export function retryAfterMsOf(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) || !/[A-Za-z]/.test(text) ? undefined : Math.max(0, at - now);
}

/** Printable, on one line and short: it goes into a log line and the delivery's lastError. */
function excerpt(text: string): string {
  const line = text.replace(/[\p{Cc}\s]+/gu, " ").trim();
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line;
}

// One signed POST of an event to a webhook's URL with Node's fetch, bounded in time (the
// webhook's timeoutMs, answer included) and in what is read of the answer, so an endpoint that
// stalls or answers without end cannot hold a delivery slot or the memory.

import { DeliveryError } from "../../core/errors.ts";
import { MAX_ANSWER_BYTES, type WebhookAnswer } from "./answer.ts";
import { signWebhook } from "./signature.ts";

export interface WebhookEndpoint {
  id: string;
  url: string;
  secret: string;
  timeoutMs: number;
}

export interface PostOptions {
  deliveryId: string;
  userAgent: string;
  /** Unix seconds of the attempt (the signed timestamp); the clock by default. */
  now?: () => number;
}

/** Posts `body`; resolves with the answer, rejects with a transient DeliveryError when none came. */
export async function postEvent(
  endpoint: WebhookEndpoint,
  body: string,
  opts: PostOptions,
): Promise<WebhookAnswer> {
  const timestamp = opts.now?.() ?? Math.floor(Date.now() / 1000);
  const signal = AbortSignal.timeout(endpoint.timeoutMs);
  try {
    const res = await fetch(endpoint.url, {
      method: "POST",
      redirect: "manual",
      signal,
      headers: {
        "content-type": "application/json",
        "user-agent": opts.userAgent,
        "x-omnivox-signature": signWebhook(endpoint.secret, timestamp, body),
        "x-omnivox-timestamp": String(timestamp),
        "x-omnivox-delivery": opts.deliveryId,
      },
      body,
    });
    const answer: WebhookAnswer = {
      status: res.status,
      statusText: res.statusText,
      body: await readAtMost(res.body, MAX_ANSWER_BYTES),
    };
    const retryAfter = res.headers.get("retry-after");
    const location = res.headers.get("location");
    if (retryAfter) answer.retryAfter = retryAfter;
    if (location) answer.location = location;
    return answer;
  } catch (err) {
    if (signal.aborted)
      throw new DeliveryError(
        `webhook ${endpoint.id}: no answer within ${endpoint.timeoutMs} ms`,
        false,
        { cause: err },
      );
    throw new DeliveryError(`webhook ${endpoint.id}: ${networkReason(err)}`, false, {
      cause: err,
    });
  }
}

/** The first `max` bytes of a body; the rest is not read (the stream is cancelled). */
async function readAtMost(
  stream: ReadableStream<Uint8Array> | null,
  max: number,
): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const out = new Uint8Array(max);
  let kept = 0;
  try {
    while (kept < max) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value.subarray(0, max - kept);
      out.set(part, kept);
      kept += part.length;
    }
  } finally {
    // Cancelling drops the connection's rest rather than draining it.
    await reader.cancel().catch(() => {});
  }
  return out.subarray(0, kept);
}

/** "connect ECONNREFUSED 127.0.0.1:1": fetch's own words are "fetch failed", the cause says why. */
function networkReason(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

// The signature of a webhook request (README "Webhooks"): HMAC-SHA256 (RFC 2104) keyed by the
// webhook's secret over "<timestamp>.<body>", so a receiver can tell the request is ours, unaltered,
// and recent (it refuses an old timestamp, which stops a replay).

import { createHmac, timingSafeEqual } from "node:crypto";

/** The `X-Omnivox-Signature` value: `sha256=<hex>`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Whether `signature` is the one `secret` gives; compared in constant time. */
export function verifyWebhook(
  secret: string,
  timestamp: number,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

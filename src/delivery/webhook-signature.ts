import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, as Stripe signs its webhooks: the timestamp
 * (Unix seconds, also sent as `Webhook-Timestamp`) is signed with the body, so a captured request
 * cannot be replayed later with a fresh timestamp.
 */
export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex")}`;
}

/**
 * What a receiver does: recompute the signature, compare in constant time, and refuse a timestamp
 * older (or newer) than `toleranceSeconds` (default 300).
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { readonly timestamp: string; readonly signature: string },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  // A header may carry several signatures (during a secret rotation), space-separated.
  return headers.signature.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

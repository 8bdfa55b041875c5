// The communication systems omnivox joins (docs/architecture.md "Systems and conversions") and the
// media each one carries. A webhook is a push to an operator's app: nothing arrives from one.

export const SYSTEM_KINDS = [
  "pstn",
  "cellular",
  "voicemail",
  "legacy-voicemail",
  "email",
  "im",
  "icw",
  "webhook",
] as const;

export type SystemKind = (typeof SYSTEM_KINDS)[number];

export type Medium = "voice" | "text";

/**
 * Voice systems carry audio; text systems carry text (the conversion table of
 * docs/architecture.md "Systems and conversions"). What ICW gives the gateway is text: the
 * user's choice for a call and the reply they typed.
 */
export function mediumOf(kind: SystemKind): Medium {
  return kind === "email" || kind === "im" || kind === "icw" || kind === "webhook"
    ? "text"
    : "voice";
}

export function isSystemKind(value: string): value is SystemKind {
  return (SYSTEM_KINDS as readonly string[]).includes(value);
}

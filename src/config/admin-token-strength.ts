// Whether an admin token is strong enough to guard the whole API: not the example config's
// placeholder, at least 24 characters, and of enough variety that it is not a word, a repeated
// pattern or a short alphabet (the NIST SP 800-63B §5.1.1.2 idea of refusing known-weak secrets).

/** The placeholder of config/omnivox.example.yaml, and the usual words people leave in. */
const PLACEHOLDERS = ["change-me-to-a-long-random-string", "changeme", "change-me", "secret"];

export const ADMIN_TOKEN_MIN_LENGTH = 24;
/** A 24-character random base64url token has ~20 distinct characters; a word or pattern far fewer. */
const MIN_DISTINCT = 10;

/** Why `token` is too weak, or undefined when it will do. */
export function adminTokenWeakness(token: string): string | undefined {
  const lower = token.toLowerCase();
  if (PLACEHOLDERS.some((p) => lower === p || lower.includes("change-me"))) {
    return "is the example config's placeholder; set a long random value (e.g. `openssl rand -base64 32`) or leave it unset to have one generated";
  }
  if (token.length < ADMIN_TOKEN_MIN_LENGTH) {
    return `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters (use a random value, e.g. \`openssl rand -base64 32\`)`;
  }
  if (new Set(token).size < MIN_DISTINCT || isPeriodic(token)) {
    return `has too little variety (at least ${MIN_DISTINCT} different characters, no repeated pattern); use a random value, e.g. \`openssl rand -base64 32\``;
  }
  return undefined;
}

/** True when the token is one shorter unit written over and over ("abcabcabc…"). */
function isPeriodic(token: string): boolean {
  for (let period = 1; period <= token.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < token.length && repeats; i++) {
      if (token[i] !== token[i - period]) repeats = false;
    }
    if (repeats) return true;
  }
  return false;
}

// SMTP replies for smtp-server hooks: an Error whose `responseCode` is the reply code the client
// gets (RFC 5321 §4.2), with an RFC 3463 enhanced status code leading the text.

export interface SmtpReplyError extends Error {
  responseCode: number;
}

export function smtpReply(code: number, text: string): SmtpReplyError {
  return Object.assign(new Error(text), { responseCode: code });
}

/** The replies omnivox gives, in one place so tests and handlers agree on them. */
export const REPLIES = {
  relayDenied: () => smtpReply(550, "5.7.1 relaying denied"),
  noSuchUser: () => smtpReply(550, "5.1.1 no such user"),
  badAddress: () => smtpReply(553, "5.1.3 bad recipient address syntax"),
  tooBig: (limit: number) =>
    smtpReply(552, `5.3.4 message exceeds fixed maximum message size ${limit}`),
  tryLater: () => smtpReply(451, "4.3.0 temporary failure, try again later"),
  /** RFC 3207 §4: the server requires TLS and the client has not started it. */
  tlsFirst: () => smtpReply(530, "5.7.0 must issue a STARTTLS command first"),
} as const;

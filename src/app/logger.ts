// The process logger: pino JSON to stdout, with the keys that may carry secrets redacted.

import { type Logger, pino } from "pino";

export const REDACT = [
  "password",
  "pin",
  "token",
  "adminToken",
  "secret",
  "*.password",
  "*.pin",
  "*.token",
  "*.adminToken",
  "*.secret",
  "req.headers.authorization",
  "req.query.token",
];

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    base: { service: "omnivox" },
  });
}

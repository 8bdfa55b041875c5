// The configuration schema (DESIGN §4 keys): YAML and environment are parsed into this one typed,
// frozen value. Every object is strict, so an unknown key stops start-up naming its path.

import { z } from "zod";

/** `host:port`; port 0 picks a free port (the chosen one goes to dataDir/ports.json). */
export const listenSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:]+):\d{1,5}$/, "expected host:port, e.g. 127.0.0.1:8080")
  .refine((v) => Number(v.slice(v.lastIndexOf(":") + 1)) <= 65535, "port must be 0–65535");

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListen(value: string): ListenAddress {
  const i = value.lastIndexOf(":");
  return { host: value.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(value.slice(i + 1)) };
}

const durationMs = z.number().int().nonnegative();

export const configSchema = z
  .object({
    dataDir: z.string().default("./data"),
    database: z
      .string()
      .refine((v) => v === "sqlite" || v === ":memory:" || /^postgres(ql)?:\/\//.test(v), {
        message: 'expected "sqlite" or a postgres:// URL',
      })
      .default("sqlite"),
    /** PostgreSQL schema (default public). */
    databaseSchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .optional(),
    publicUrl: z.string().url().optional(),
    log: z
      .strictObject({
        level: z
          .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
          .default("info"),
      })
      .prefault({}),
    http: z
      .strictObject({
        listen: listenSchema.default("127.0.0.1:8080"),
        adminToken: z.string().min(16, "must be at least 16 characters").optional(),
        /** Lifetime of a session token from POST /session. */
        sessionTtlMs: durationMs.default(12 * 3600_000),
        /** Lifetime of the signed audio links put in mail and chat (voicemail recordings). */
        audioUrlTtlMs: durationMs.min(1000).default(7 * 24 * 3600_000),
      })
      .prefault({}),
    smtp: z
      .strictObject({
        listen: listenSchema.default("127.0.0.1:2525"),
        /** Mail is accepted only for these domains (never an open relay). */
        domains: z.array(z.string().min(1)).default(["localhost"]),
        /** Largest message accepted, bytes; larger gets 552. */
        maxMessageBytes: z
          .number()
          .int()
          .positive()
          .default(10 * 1024 * 1024),
        hostname: z.string().optional(),
      })
      .prefault({}),
    smtpOut: z
      .strictObject({
        host: z.string().default("127.0.0.1"),
        port: z.number().int().min(1).max(65535).default(25),
        secure: z.boolean().default(false),
        user: z.string().optional(),
        password: z.string().optional(),
        /** Envelope/header From domain for mail we originate; defaults to smtp.domains[0]. */
        fromDomain: z.string().optional(),
      })
      .prefault({}),
    sip: z
      .strictObject({
        listen: listenSchema.default("127.0.0.1:5060"),
        domain: z.string().default("localhost"),
        accessNumber: z.string().optional(),
        /**
         * Digest algorithms offered to phones, in order. MD5 alone by default: many phones (baresip
         * 1.0 among them) give up when any challenge is not MD5. Add "SHA-256" for phones that can.
         */
        digestAlgorithms: z
          .array(z.enum(["SHA-256", "MD5"]))
          .min(1)
          .default(["MD5"]),
        /** Also send MWI NOTIFYs to registered phones that do not subscribe. */
        unsolicitedMwi: z.boolean().default(false),
        /** Address put in SDP and Contact; default the listen host (required when that is 0.0.0.0). */
        mediaAddress: z.string().optional(),
        rtpPorts: z
          .string()
          .regex(/^\d+-\d+$/, "expected a range like 20000-20999")
          .default("20000-29999"),
        /**
         * SIP over TLS (RFC 3261 §26.3.1) on its own listener. Without cert and key a self-signed
         * certificate is generated into dataDir (sip-tls.crt, sip-tls.key) and reused.
         */
        tls: z
          .strictObject({
            listen: listenSchema.default("127.0.0.1:5061"),
            /** PEM certificate (chain) file. */
            cert: z.string().min(1).optional(),
            /** PEM private key file of that certificate. */
            key: z.string().min(1).optional(),
          })
          .refine((t) => (t.cert === undefined) === (t.key === undefined), {
            message: "set both cert and key, or neither for a generated self-signed certificate",
            path: ["cert"],
          })
          .optional(),
      })
      .prefault({}),
    voicemail: z
      .strictObject({
        /** Longest message recorded, ms. */
        maxMessageMs: durationMs.default(180_000),
        /** Silence that ends a message, ms. */
        silenceMs: durationMs.default(5000),
        /** Shorter messages (or silent ones) are not kept, ms. */
        minMessageMs: durationMs.default(1000),
        /** Frames quieter than this (RMS of 16-bit samples) count as silence. */
        silenceLevel: z.number().int().min(0).max(32767).default(200),
      })
      .prefault({}),
    /** Internet call waiting: a call for a user whose web client is open is offered to them. */
    icw: z
      .strictObject({
        /** How long the user has to choose before the call goes to voicemail; 0 turns ICW off. */
        decideMs: durationMs.default(8000),
        /** Where a takeover to a tel: number is sent (a SIP trunk or PBX); sip: URIs go direct. */
        outboundProxy: listenSchema.optional(),
      })
      .prefault({}),
    xmpp: z
      .strictObject({
        server: z.string().optional(),
        domain: z.string().optional(),
        secret: z.string().optional(),
      })
      .prefault({}),
    smdi: z
      .array(
        z.union([
          z.strictObject({ id: z.string(), connect: listenSchema }),
          z.strictObject({ id: z.string(), listen: listenSchema }),
        ]),
      )
      .default([]),
    /** Legacy voicemail boxes watched by SIP message-summary subscription (RFC 3842). */
    legacyVoicemail: z
      .strictObject({
        /** Seconds asked for in each SUBSCRIBE; the box may grant less. Refreshed before expiry. */
        subscribeExpires: z.number().int().min(1).max(86_400).default(3600),
        /** Backoff between failed subscription attempts: doubling from retryMinMs to retryMaxMs. */
        retryMinMs: durationMs.min(1).default(1000),
        retryMaxMs: durationMs.min(1).default(300_000),
        /** Digest credentials per legacy host, answered when that host challenges a SUBSCRIBE. */
        credentials: z
          .array(
            z.strictObject({
              host: z.string().min(1),
              username: z.string().min(1),
              password: z.string(),
              realm: z.string().optional(),
            }),
          )
          .default([]),
      })
      .prefault({}),
    speech: z
      .strictObject({
        tts: z.string().default("espeak-ng-wasm"),
        /** An engine name, or the OpenAI-compatible HTTP engine `{engine: "http", url, model}`. */
        stt: z
          .union([
            z.string(),
            z.strictObject({
              engine: z.literal("http"),
              url: z.string().url(),
              model: z.string().min(1),
              apiKey: z.string().optional(),
              responseFormat: z.enum(["json", "verbose_json"]).optional(),
              timeoutMs: durationMs.optional(),
            }),
          ])
          .default("none"),
        /** How long a deposit waits for the transcript before it is stored without one. */
        transcriptWaitMs: durationMs.default(10_000),
        /** Language of the speech (transcripts and TTS), e.g. "en". */
        language: z.string().optional(),
      })
      .prefault({}),
    outbox: z
      .strictObject({
        concurrency: z.number().int().min(1).max(1024).default(32),
        maxAttempts: z.number().int().min(1).default(8),
        backoffBaseMs: durationMs.default(1000),
        backoffMaxMs: durationMs.default(15 * 60_000),
        leaseMs: durationMs.default(60_000),
        /** How long a delivery to an unavailable IM client is held before it expires. */
        holdMs: durationMs.default(7 * 24 * 3600_000),
        /** How long the web adapter waits for a client ack before it re-sends on reconnect. */
        ackTimeoutMs: durationMs.default(30_000),
      })
      .prefault({}),
    /** The message-waiting service (DESIGN §1.2). */
    mwi: z
      .strictObject({
        /** How long the latest indicator waits for an away IM client before it is dropped. */
        indicatorTtlMs: durationMs.default(7 * 24 * 3600_000),
        /** How often indicators that could not be delivered are tried again. */
        retryMs: durationMs.default(5000),
      })
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

// The configuration schema (README "Configuration"): YAML and environment are parsed into this one typed,
// frozen value. Every object is strict, so an unknown key stops start-up naming its path.

import { isIP } from "node:net";
import { z } from "zod";
import { WEBHOOK_ID } from "../core/address.ts";
import { ConfigError } from "../core/errors.ts";
import { type HostPort, parseHostPort } from "../core/host-port.ts";
import { AUDIO_FORMATS } from "../core/profile.ts";
import { parsePortRange } from "../protocols/rtp/port-pool.ts";
import { adminTokenWeakness } from "./admin-token-strength.ts";

/**
 * A `host:port` value (core/host-port.ts) with the schema's wording: `minPort` 0 where a listener
 * may pick a free port, 1 for an address to connect to.
 */
function hostPortSchema(minPort: 0 | 1, formMessage: string) {
  return z.string().superRefine((value, ctx) => {
    const parsed = parseHostPort(value, { minPort });
    if (!parsed.ok)
      ctx.addIssue({
        code: "custom",
        message: parsed.problem === "port" ? `port must be ${minPort}–65535` : formMessage,
      });
  });
}

/** `host:port`; port 0 picks a free port (the chosen one goes to dataDir/ports.json). */
export const listenSchema = hostPortSchema(0, "expected host:port, e.g. 127.0.0.1:8080");

/** A validated `host:port` of this config as host and port; ConfigError if it is not one. */
export function parseListen(value: string): HostPort {
  const parsed = parseHostPort(value);
  if (!parsed.ok) throw new ConfigError(`expected host:port, got "${value}"`);
  return parsed.value;
}

const durationMs = z.number().int().nonnegative();

/** A host and a port 1–65535 to connect to, without a scheme, such as `example`. */
function connectHostPort(example: string) {
  return hostPortSchema(1, `expected "host:port" without a scheme, e.g. "${example}"`);
}

/** An issue on `lowKey` when the lower bound of a pair is above the upper one. */
function boundsInOrder<T>(lowKey: keyof T & string, highKey: keyof T & string) {
  return (value: T, ctx: z.RefinementCtx) => {
    if (Number(value[lowKey]) > Number(value[highKey]))
      ctx.addIssue({
        code: "custom",
        path: [lowKey],
        message: `must not be above ${highKey} (${String(value[highKey])})`,
      });
  };
}

/** An issue on `[i, "id"]` for each entry whose id an earlier entry already has. */
function uniqueIds(entries: readonly { id: string }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    if (seen.has(entry.id))
      ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate id "${entry.id}"` });
    seen.add(entry.id);
  });
}

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::"]);

/** `host[:port][;transport=udp|tcp]`: where a SIP trunk's requests go (no DNS SRV, RFC 3263). */
export const trunkProxySchema = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(;transport=(udp|tcp))?$/i,
    'expected host[:port][;transport=udp|tcp], e.g. "sip.carrier.example:5060"',
  )
  .refine((v) => {
    const port = /^(?:\[[^\]]*\]|[^:;]+):(\d+)/.exec(v)?.[1];
    return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
  }, "port must be 1–65535");

/** A SIP trunk to the PSTN (README "Trunks"): calls to numbers no user has go out through it. */
const trunkSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, . _ - (at most 64)"),
    proxy: trunkProxySchema,
    /** Digest credentials answered when the trunk challenges an INVITE or REGISTER. */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** Keep a registration with the trunk (REGISTER, refreshed before it expires). */
    register: z.boolean().default(false),
    /** Seconds asked for in each REGISTER; the trunk may grant less. */
    registerExpires: z.number().int().min(30).max(86_400).default(600),
    /** Host of the From (caller ID) URI; default the proxy's host. */
    fromDomain: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/, "a host name")
      .optional(),
    /** Number prefixes this trunk calls ("+1555"; "" for every number); the longest match wins. */
    numbers: z.array(z.string().regex(/^\+?[0-9]*$/, 'digits with an optional "+"')).default([]),
  })
  .superRefine((t, ctx) => {
    if ((t.username === undefined) !== (t.password === undefined))
      ctx.addIssue({ code: "custom", message: "username and password go together" });
    if (t.register && t.username === undefined)
      ctx.addIssue({ code: "custom", path: ["register"], message: "register needs a username" });
  });

/**
 * One failure throttle (core/throttle.ts): the limit in a window, then escalating bans. Exported
 * for the other throttled edges (SIP digest, PIN entry) to take the same shape of keys.
 */
export function throttleRule(defaults: {
  maxFailures: number;
  windowMs: number;
  banMs: number;
  maxBanMs: number;
  forgetMs?: number;
}) {
  return z
    .strictObject({
      maxFailures: z.number().int().min(1).default(defaults.maxFailures),
      windowMs: durationMs.min(1).default(defaults.windowMs),
      banMs: durationMs.min(1).default(defaults.banMs),
      /** Each further ban of the same key lasts this many times the one before. */
      banFactor: z.number().min(1).max(100).default(2),
      maxBanMs: durationMs.min(1).default(defaults.maxBanMs),
      /** A key without failures for this long starts afresh. */
      forgetMs: durationMs.min(1).default(defaults.forgetMs ?? 24 * 3600_000),
    })
    .superRefine(boundsInOrder("banMs", "maxBanMs"))
    .prefault({});
}

/** A host address (IPv4, or IPv6 with or without brackets), never a name or a range. */
const ipAddress = z
  .string()
  .trim()
  .refine((a) => isIP(a.replace(/^\[|\]$/g, "")) !== 0, {
    message: "expected an IP address (e.g. 192.0.2.10 or 2001:db8::1), not a name or range",
  });

/** A per-source token bucket for one class of SIP requests (docs/security.md "SIP limits"). */
function sipRate(burst: number, perMinute: number) {
  return z
    .strictObject({
      burst: z.number().int().min(1).default(burst),
      perMinute: z.number().int().min(1).default(perMinute),
    })
    .prefault({});
}

/** SIP limits per source and in total (docs/security.md "SIP limits"); trusted proxies exempt. */
const sipLimitsSchema = z
  .strictObject({
    /** Live SIP transactions at most, ours and the peers' together. */
    maxTransactions: z.number().int().min(100).max(1_000_000).default(10_000),
    /** Share of maxTransactions kept for omnivox's own requests (calls, NOTIFYs, REGISTERs). */
    clientReserve: z.number().min(0.01).max(0.9).default(0.2),
    /** Share of the rest one source may hold as live server transactions. */
    transactionShare: z.number().gt(0).max(1).default(0.1),
    /** Seconds in the Retry-After of a 503 for a limit. */
    retryAfter: z.number().int().min(1).max(3600).default(5),
    /** New requests per source address, by kind: a burst, then so many per minute. */
    invite: sipRate(20, 300),
    register: sipRate(50, 600),
    subscribe: sipRate(50, 600),
    other: sipRate(200, 3000),
    /** Excess requests of one flood answered 503; later ones are dropped without an answer. */
    rejectFirst: z.number().int().min(0).default(10),
    /** A source with no excess request for this long is no longer flooding. */
    floodQuietMs: durationMs.min(1000).default(30_000),
    /** Excess requests that ban a source (everything from it dropped), growing per ban. */
    ban: throttleRule({ maxFailures: 2000, windowMs: 60_000, banMs: 60_000, maxBanMs: 3600_000 }),
    /** Sources tracked at most (bounded memory). */
    maxSources: z.number().int().min(1).max(10_000_000).default(100_000),
    /**
     * Further addresses exempt from the per-source limits, as `trustedProxies` are, but whose
     * P-Asserted-Identity is not believed: a trunk's or a legacy voicemail box's address.
     */
    exempt: z.array(ipAddress).default([]),
    /** Calls (ringing or answered) from one source at once; default 10 % of the RTP ports, ≥ 10. */
    callsPerSource: z.number().int().min(1).optional(),
    /** SIP TCP/TLS connections in total, per listener. */
    tcpMaxConnections: z.number().int().min(1).default(1024),
    /** SIP TCP/TLS connections one address (an IPv6 /64) may open to us; 0 = no cap. */
    tcpMaxConnectionsPerSource: z.number().int().min(0).default(64),
    /** A connection without traffic this long is closed. */
    tcpIdleTimeoutMs: durationMs.min(1000).default(300_000),
    /** A connection must send its first complete message, and finish each one, this soon. */
    tcpMessageTimeoutMs: durationMs.min(1000).default(10_000),
  })
  .prefault({});

export type SipLimitsConfig = z.infer<typeof sipLimitsSchema>;

/**
 * Wrong passwords per source address and per account, with escalating bans: the same defaults
 * for web logins (`http.loginThrottle`) and SIP digests (`sip.authThrottle`), docs/security.md.
 */
function passwordGuessThrottle() {
  return z
    .strictObject({
      source: throttleRule({
        maxFailures: 10,
        windowMs: 10 * 60_000,
        banMs: 60_000,
        maxBanMs: 3600_000,
      }),
      account: throttleRule({
        maxFailures: 30,
        windowMs: 10 * 60_000,
        banMs: 5 * 60_000,
        maxBanMs: 3600_000,
      }),
      /** Sources and accounts tracked at most, each (bounded memory). */
      maxKeys: z.number().int().min(1).max(10_000_000).default(100_000),
    })
    .prefault({});
}

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
    /**
     * Group commit (docs/performance.md "Group commit"): writes that arrive together share one
     * transaction and one fsync; each sender is acknowledged only after that commit.
     */
    groupCommit: z
      .strictObject({
        /** How long a commit waits for more writers to join, ms; 0 takes those already queued. */
        windowMs: z.number().min(0).max(50).default(0),
        /** Most writers one commit takes; more wait for the next. */
        maxBatch: z.number().int().min(1).max(10_000).default(256),
      })
      .prefault({}),
    /**
     * Cluster mode (docs/cluster.md): several nodes on one PostgreSQL database, telling each other
     * what happened over NATS JetStream. Absent: one node, no NATS needed.
     */
    cluster: z
      .strictObject({
        /** NATS server URL(s), comma-separated: nats://host:4222 (JetStream on). */
        nats: z.string().regex(/^(nats|tls):\/\/[^\s,]+(\s*,\s*(nats|tls):\/\/[^\s,]+)*$/, {
          message: "expected nats://host:port (or tls://), several separated by commas",
        }),
        /** This node's name, unique in the cluster (default: the host name). */
        nodeId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: "letters, digits, - and _ only, at most 64" })
          .optional(),
        /** Names this cluster's streams and subjects on NATS, so clusters can share one NATS. */
        name: z
          .string()
          .regex(/^[a-z0-9_-]{1,32}$/, { message: "lower-case letters, digits, - and _ only" })
          .default("omnivox"),
      })
      .optional(),
    /** Room to write in dataDir (docs/security.md "Disk full"): /healthz and deposit refusal. */
    storage: z
      .strictObject({
        /** Below this many free bytes in dataDir, /healthz is 503 and deposit INVITEs get 503. */
        minFreeBytes: z
          .number()
          .int()
          .nonnegative()
          .default(64 * 1024 * 1024),
        /** How often free space is checked and a test write made, ms. */
        probeIntervalMs: durationMs.min(100).default(5000),
        /**
         * Recordings whose final write failed for lack of room, held in memory until it returns
         * (bytes, all calls together); past it a caller who hung up loses the message (logged).
         */
        maxPendingBytes: z
          .number()
          .int()
          .nonnegative()
          .default(32 * 1024 * 1024),
      })
      .prefault({}),
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
        /** Refused when weak (admin-token-strength.ts): start-up stops naming this key. */
        adminToken: z
          .string()
          .superRefine((token, ctx) => {
            const why = adminTokenWeakness(token);
            if (why) ctx.addIssue({ code: "custom", message: why });
          })
          .optional(),
        /** Lifetime of a session token from POST /session. */
        sessionTtlMs: durationMs.default(12 * 3600_000),
        /** Lifetime of the signed audio links put in mail and chat (voicemail recordings). */
        audioUrlTtlMs: durationMs.min(1000).default(7 * 24 * 3600_000),
        /** POST /session: wrong passwords per source address and per account (docs/security.md). */
        loginThrottle: passwordGuessThrottle(),

        /** A connection silent this long is closed (docs/security.md "Connection limits"). */
        connectionTimeoutMs: durationMs.min(1000).default(60_000),
        /** The request line and headers must have arrived within this. */
        headersTimeoutMs: durationMs.min(1000).default(10_000),
        /** The whole request, body included, must have arrived within this; else 408. */
        requestTimeoutMs: durationMs.min(1000).default(60_000),
        /** An idle keep-alive connection is closed after this. */
        keepAliveTimeoutMs: durationMs.min(100).default(10_000),
        /** TCP connections one address (an IPv6 /64) may hold; 0 = no cap (behind a proxy). */
        maxConnectionsPerSource: z.number().int().min(0).default(256),
        /** WebSockets one user may have open at once; more are closed with 1008. */
        maxWebSocketsPerUser: z.number().int().min(1).default(10),
      })
      .refine((h) => h.headersTimeoutMs <= h.requestTimeoutMs, {
        message: "headersTimeoutMs may not be longer than requestTimeoutMs",
        path: ["headersTimeoutMs"],
      })
      .prefault({}),
    /** Sends of each user, WebSocket `send` and POST /messages together (a token bucket). */
    messages: z
      .strictObject({
        /** Sends allowed at once after a quiet spell; more get 429 / an error frame. */
        sendBurst: z.number().int().min(1).default(30),
        /** Sustained sends per minute. */
        sendPerMinute: z.number().int().min(1).default(60),
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
        /** Sessions open at once, from everyone; more get 421 (docs/security.md "Connection limits"). */
        maxClients: z.number().int().min(1).default(200),
        /** Sessions open at once from one address (an IPv6 /64); at least the relay's concurrency. */
        maxConnectionsPerSource: z.number().int().min(1).default(20),
        /** A session silent this long is closed with 421. */
        idleTimeoutMs: durationMs.min(1000).default(60_000),
        /**
         * STARTTLS (RFC 3207), offered when this section is present: the operator's PEM files, or
         * a self-signed certificate generated into dataDir (smtp-tls.crt, smtp-tls.key).
         * `require: true` refuses mail (530) from a session that has not started TLS.
         */
        tls: z
          .strictObject({
            cert: z.string().min(1).optional(),
            key: z.string().min(1).optional(),
            require: z.boolean().default(false),
          })
          .refine((t) => (t.cert === undefined) === (t.key === undefined), {
            message: "set both cert and key, or neither for a generated self-signed certificate",
            path: ["cert"],
          })
          .optional(),
        /** Longest a session may last whatever it sends (NOOPs too); 0 = no limit. */
        maxSessionMs: durationMs.default(10 * 60_000),
        /** Longest the message after DATA may take to arrive. */
        dataTimeoutMs: durationMs.min(1000).default(5 * 60_000),
        /** Received mail is parsed and its HTML converted in worker threads, within these bounds. */
        parser: z
          .strictObject({
            /** Threads; default 2 (1 on a single core). */
            workers: z.number().int().min(1).max(16).optional(),
            /** Longest one message may take; then it is stored as plain text with a warning. */
            budgetMs: durationMs.min(100).default(5000),
            /** Larger HTML is not converted but has its tags stripped (with a warning). */
            maxHtmlBytes: z
              .number()
              .int()
              .positive()
              .default(1024 * 1024),
            /** HTML nested deeper is likewise stripped, not converted. */
            maxHtmlDepth: z.number().int().min(1).default(256),
            /** Heap of each parser thread, MiB. */
            workerMemoryMb: z.number().int().min(32).default(512),
          })
          .prefault({}),
      })
      .prefault({}),
    /**
     * Audio conversion (decoding, resampling to 8 kHz, levelling, TTS output) runs in worker
     * threads within these bounds (README "Audio conversion").
     */
    media: z
      .strictObject({
        /** Threads; default 2 (1 on a single core). */
        workers: z.number().int().min(1).max(16).optional(),
        /** Longest one conversion may take; then it fails (a delivery is retried, an API call 500s). */
        budgetMs: durationMs.min(100).default(20_000),
        /** Largest input a conversion takes (WAV bytes, or 16-bit samples to resample). */
        maxBytes: z
          .number()
          .int()
          .positive()
          .default(32 * 1024 * 1024),
        /** Inputs this small are converted on the main thread: a thread round trip costs more. */
        inlineBytes: z
          .number()
          .int()
          .min(0)
          .default(64 * 1024),
        /** Heap of each audio thread, MiB. */
        workerMemoryMb: z.number().int().min(32).default(256),
      })
      .prefault({}),
    smtpOut: z
      .strictObject({
        host: z.string().default("127.0.0.1"),
        port: z.number().int().min(1).max(65535).default(25),
        /** TLS from the first byte (port 465); otherwise STARTTLS whenever the relay offers it. */
        secure: z.boolean().default(false),
        /** AUTH (PLAIN or LOGIN, over TLS) at a relay that asks for it, as a smarthost does. */
        username: z.string().optional(),
        /** The former name of `username`, still read. */
        user: z.string().optional(),
        password: z.string().optional(),
        /** Refuse to send over a connection without TLS (no STARTTLS offered: retried later). */
        requireTls: z.boolean().default(false),
        /** PEM file of the CA (or self-signed certificate) the relay's certificate is checked against. */
        ca: z.string().min(1).optional(),
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
        /**
         * Proxies (IPv4/IPv6 host addresses) whose P-Asserted-Identity names the caller (RFC 3325
         * trust domain). PAI from any other source is ignored; see README "Who is calling".
         */
        trustedProxies: z.array(ipAddress).default([]),
        /** Also send MWI NOTIFYs to registered phones that do not subscribe. */
        unsolicitedMwi: z.boolean().default(false),
        /**
         * Wrong digests (REGISTER, SUBSCRIBE, challenged INVITEs) per source address and per
         * account; a banned source gets 403 (docs/security.md "SIP digest throttling").
         */
        authThrottle: passwordGuessThrottle(),
        /** Address put in SDP and Contact; default the listen host (required when that is 0.0.0.0). */
        mediaAddress: z.string().optional(),
        rtpPorts: z
          .string()
          .regex(/^\d+-\d+$/, "expected a range like 20000-20999")
          .superRefine((spec, ctx) => {
            try {
              parsePortRange(spec);
            } catch (err) {
              ctx.addIssue({ code: "custom", message: (err as Error).message });
            }
          })
          .default("20000-29999"),
        /**
         * SRTP with SDES keys (RFC 4568, AES_CM_128_HMAC_SHA1_80/_32): `offer` takes SRTP when a
         * phone offers it and offers it best-effort on outbound calls; `require` refuses plain RTP
         * with 488; `off` refuses RTP/SAVP. The keys travel in the SIP body: private only over TLS.
         */
        srtp: z.enum(["off", "offer", "require"]).default("offer"),

        /** SIP trunks to the PSTN (README "Trunks"); ids are unique. */
        trunks: z.array(trunkSchema).default([]).superRefine(uniqueIds),

        /** Per-source and total SIP limits (docs/security.md "SIP limits"). */
        limits: sipLimitsSchema,
        /** An answered call that receives no RTP at all for this long is ended with a BYE, ms. */
        rtpTimeoutMs: z.number().int().min(500).default(30_000),
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
      .superRefine((sip, ctx) => {
        // SDP and Contact carry this address; a wildcard would send phones' RTP nowhere.
        const listen = parseHostPort(sip.listen);
        const media = sip.mediaAddress ?? (listen.ok ? listen.value.host : undefined);
        if (media !== undefined && WILDCARD_HOSTS.has(media))
          ctx.addIssue({
            code: "custom",
            path: ["mediaAddress"],
            message:
              sip.mediaAddress === undefined
                ? "required when sip.listen is a wildcard: the address phones reach omnivox at"
                : "must be the address phones reach omnivox at, not a wildcard",
          });
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
        /**
         * What voicemail is attached to mail as when a route names no `audioFormat`: `wav` as
         * recorded (every client plays it), `mp3` or `ogg` (about a quarter of the size).
         */
        audioFormat: z.enum(AUDIO_FORMATS).default("wav"),
        /** Frames quieter than this (RMS of 16-bit samples) count as silence. */
        silenceLevel: z.number().int().min(0).max(32767).default(200),
        /** New PINs (API, CLI) need at least this many digits; shorter old ones still work. */
        minPinLength: z.number().int().min(4).max(12).default(6),
        /**
         * Wrong PINs per mailbox, every call and caller together, that lock it (docs/security.md
         * "Voicemail PINs"). The history outlives the longest ban, so a ban keeps growing.
         */
        pinLockout: throttleRule({
          maxFailures: 10,
          windowMs: 3600_000,
          banMs: 5 * 60_000,
          maxBanMs: 24 * 3600_000,
          forgetMs: 7 * 24 * 3600_000,
        }),
        /** Wrong PINs per caller source (address; the caller's number behind a trusted proxy). */
        pinSourceLockout: throttleRule({
          maxFailures: 5,
          windowMs: 3600_000,
          banMs: 5 * 60_000,
          maxBanMs: 24 * 3600_000,
          forgetMs: 7 * 24 * 3600_000,
        }),
        /**
         * Messages older than this many days are deleted with their audio (README "Retention and
         * erasure"); absent, they are kept until deleted. A profile may ask for fewer days only.
         */
        retentionDays: z.number().int().min(1).optional(),
        /** How often the retention sweep runs; the first runs a minute (or this, if less) after start. */
        retentionSweepMs: durationMs.min(100).default(3600_000),
      })
      .superRefine(boundsInOrder("minMessageMs", "maxMessageMs"))
      .prefault({}),
    /** Internet call waiting: a call for a user whose web client is open is offered to them. */
    icw: z
      .strictObject({
        /** How long the user has to choose before the call goes to voicemail; 0 turns ICW off. */
        decideMs: durationMs.default(8000),
        /** Where a takeover to a tel: number is sent (a SIP trunk or PBX); sip: URIs go direct. */
        outboundProxy: connectHostPort("192.0.2.10:5060").optional(),
      })
      .prefault({}),
    /** The XEP-0114 component; nothing runs without `server`, which then needs domain and secret. */
    xmpp: z
      .strictObject({
        server: connectHostPort("xmpp.example.net:5347").optional(),
        domain: z.string().optional(),
        secret: z.string().optional(),
        /**
         * How long a chat waits for the XEP-0184 receipt of a client that has never sent one,
         * then counts as delivered (many clients send none).
         */
        receiptWaitMs: durationMs.default(800),
        /** How long a chat waits for the receipt of a client that sends them, then is retried. */
        receiptTimeoutMs: durationMs.default(10_000),
      })
      .superRefine((xmpp, ctx) => {
        if (xmpp.server === undefined) return;
        for (const key of ["domain", "secret"] as const)
          if (!xmpp[key])
            ctx.addIssue({
              code: "custom",
              path: [key],
              message: "required when xmpp.server is set",
            });
      })
      // The refinement above makes this the type: a component has all three keys, or none runs.
      .transform(({ server, domain, secret, ...receipts }) =>
        server === undefined
          ? { server, domain, secret, ...receipts }
          : { server, domain: domain!, secret: secret!, ...receipts },
      )
      .prefault({}),
    /** SMDI links (GR-283), each named by a unique id. */
    smdi: z
      .array(
        z.union([
          z.strictObject({ id: z.string(), connect: listenSchema }),
          z.strictObject({ id: z.string(), listen: listenSchema }),
        ]),
      )
      .default([])
      .superRefine(uniqueIds),
    /**
     * Apps that take communications as signed JSON POSTs (README "Webhooks"): a route names one
     * as `webhook:<id>`. The secret keys the HMAC the app checks each request with.
     */
    webhooks: z
      .array(
        z.strictObject({
          id: z.string().regex(WEBHOOK_ID, "expected 1–64 of A-Z a-z 0-9 . _ -"),
          url: z
            .string()
            .refine(
              (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
              "expected an http: or https: URL",
            )
            // fetch refuses them, and its error would carry the password into lastError.
            .refine(
              (u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password),
              "must not hold user:password; the app checks the signature made with secret",
            ),
          secret: z.string().min(16, "must be at least 16 characters"),
          /** How long one POST may take, answer included; then it is retried. */
          timeoutMs: durationMs.min(1).max(300_000).default(10_000),
        }),
      )
      .default([])
      .superRefine(uniqueIds),
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
        /**
         * Unsolicited message-summary NOTIFYs over UDP, whose source address can be forged:
         * `digest` challenges them for the host's credentials above (no credentials: 403);
         * `trust` takes the address as proof. Over TCP/TLS the address is taken.
         */
        unsolicitedUdp: z.enum(["digest", "trust"]).default("digest"),
      })
      .superRefine(boundsInOrder("retryMinMs", "retryMaxMs"))
      .prefault({}),
    speech: z
      .strictObject({
        tts: z.string().default("flite-wasm"),
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
        /**
         * Most deliveries to one target address under way at once (default: a quarter of
         * concurrency, at least 2), so one that stalls never takes every slot.
         */
        perTargetConcurrency: z.number().int().min(1).max(1024).optional(),
        /**
         * Most deliveries to one target that are written and wait only for its confirmation (an
         * XMPP receipt, a web client's ack), beside those being sent: they hold no slot, so a
         * client's round trip does not bound the outbox. 0: a delivery keeps its slot to the end.
         */
        perTargetAwaiting: z.number().int().min(0).max(4096).default(64),
        maxAttempts: z.number().int().min(1).default(8),
        backoffBaseMs: durationMs.default(1000),
        backoffMaxMs: durationMs.default(15 * 60_000),
        leaseMs: durationMs.default(60_000),
        /** How long a delivery to an unavailable IM client is held before it expires. */
        holdMs: durationMs.default(7 * 24 * 3600_000),
        /** How long the web adapter waits for a client ack before it re-sends on reconnect. */
        ackTimeoutMs: durationMs.default(30_000),
      })
      .superRefine(boundsInOrder("backoffBaseMs", "backoffMaxMs"))
      .prefault({}),
    /** Who gives users their addresses (docs/security.md "Addresses and ownership"). */
    addresses: z
      .strictObject({
        /**
         * Let users claim an email (in smtp.domains) or an XMPP JID themselves, by a code sent to
         * that address (POST /users/:id/claims). Off: only the admin assigns addresses.
         */
        selfClaim: z.boolean().default(false),
        /** How long a claim code stays valid. */
        claimTtlMs: durationMs.min(1000).default(15 * 60_000),
      })
      .prefault({}),
    /**
     * The single inbox (README "Single inbox"): users' mailboxes on their own IMAP server, by the
     * domain of their email address, opened through a master user.
     */
    imap: z
      .strictObject({
        domains: z
          .record(
            z.string().min(1),
            z.strictObject({
              host: z.string().min(1),
              port: z.number().int().min(1).max(65535).default(143),
              /** TLS from the first byte (993); otherwise STARTTLS when the server offers it. */
              secure: z.boolean().default(false),
              mailbox: z.string().min(1).default("INBOX"),
              auth: z.strictObject({
                masterUser: z.string().min(1),
                masterPassword: z.string().min(1),
                /** Dovecot's auth_master_user_separator: the login is `user<separator>master`. */
                separator: z.string().min(1).default("*"),
                /** The user part of the login: the whole address, or its local part. */
                login: z.enum(["address", "localPart"]).default("address"),
              }),
            }),
          )
          .default({})
          .transform((domains) =>
            Object.fromEntries(Object.entries(domains).map(([d, v]) => [d.toLowerCase(), v])),
          ),
        /** Backoff after a lost or failed connection: doubling from retryMinMs to retryMaxMs. */
        retryMinMs: durationMs.min(1).default(1000),
        retryMaxMs: durationMs.min(1).default(300_000),
        /** The wait after a refused login. */
        authRetryMs: durationMs.min(1).default(600_000),
        /** How often the users are read again for addresses added, changed or removed. */
        rescanMs: durationMs.min(1000).default(60_000),
      })
      .superRefine(boundsInOrder("retryMinMs", "retryMaxMs"))
      .prefault({}),
    /** The message-waiting service (README "Message waiting"). */
    mwi: z
      .strictObject({
        /** How long the latest indicator waits for an away IM client before it is dropped. */
        indicatorTtlMs: durationMs.default(7 * 24 * 3600_000),
        /** How often indicators that could not be delivered are tried again. */
        retryMs: durationMs.default(5000),
      })
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.cluster && !/^postgres(ql)?:\/\//.test(config.database)) {
      ctx.addIssue({
        code: "custom",
        path: ["cluster"],
        message:
          "cluster mode needs the nodes to share one database: set database to a postgres:// URL (SQLite is one node's file)",
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

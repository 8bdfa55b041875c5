// What the HTTP layer needs from the rest of omnivox, passed in by the composition root (the
// atproto lesson: narrow dependencies, no service locator); tests pass their own.

import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { IcwCalls } from "../adapters/icw/calls.ts";
import type { WebClientHub } from "../adapters/web/hub.ts";
import type { Config } from "../config/schema.ts";
import type { Address } from "../core/address.ts";
import type { AudioLinks, Gateway } from "../core/ports.ts";
import type { AudioConverter } from "../gateway/convert/phone-audio.ts";
import type { MwiService } from "../gateway/mwi-service.ts";
import type { Store } from "../store/types.ts";
import type { AudioUrlSigner } from "./audio-urls.ts";
import type { Authenticator } from "./auth.ts";
import type { Recordings } from "./recordings.ts";

export interface HttpDeps {
  /** The effective configuration; `http.adminToken` must be set (the lead fills it from env). */
  config: Config;
  /** The random server secret (app/server-secret.ts) that keys session tokens and audio links. */
  serverSecret: string;
  store: Store;
  logger: Logger;
  /** Receives communications submitted over the API (POST /messages, WebSocket `send`). */
  gateway: Gateway;
  /** Owns the WebSocket connections of web clients; the stream route hands sockets to it. */
  webClients: WebClientHub;
  /** Exposed at /metrics (createMetrics().registry). */
  metrics: Registry;
  /** This node's id in a cluster (docs/cluster.md), shown by /healthz; absent on a single node. */
  nodeId?: string;
  /** In a cluster: the external links this node runs now (shown by /healthz). */
  ownedLinks?: () => string[];
  /** Named checks for /healthz: every one true → 200, else 503. */
  health: () => Promise<Record<string, boolean>>;
  /** Whether dataDir can be written (app/storage-probe.ts); degraded makes /healthz 503. */
  storage?: () => { degraded: boolean; reasons: string[] };
  /**
   * Called after every change to a user's own voicemail box (marked read, deleted), so that MWI
   * can be recomputed. Its failure is logged; it never fails the request that made the change.
   */
  onMailboxChanged?: (userId: string) => void | Promise<void>;
  /** The MWI service (gateway/mwi-service.ts): GET/PUT /users/:id/mwi, profile changes. */
  mwi: MwiApi;
  /** Absolute signed audio links (the composition root's); without it links are relative. */
  audioLinks?: AudioLinks;
  /**
   * Sends a self-service claim code to the address being claimed (mail or chat), not through the
   * outbox: the code must never show in the claimant's own communications. Without it, claims
   * are refused.
   */
  sendClaimCode?: (
    userId: string,
    address: Address,
    code: string,
    expiresAt: Date,
  ) => Promise<void>;
  /** Counts what the HTTP listener's connection limits refuse or cut off (metrics). */
  onThrottle?: (reason: "per-source" | "request-timeout") => void;
  /** Calls under Internet call waiting, for their live screening; without it none is found. */
  calls?: Pick<IcwCalls, "get">;
  /**
   * Converts submitted audio (POST /messages) for the phone, and re-encodes a recording for an
   * audio link that asks for MP3 or Ogg; inline without it.
   */
  audio?: AudioConverter & {
    encode?(wav: Uint8Array, format: "mp3" | "ogg"): Promise<Uint8Array>;
  };
}

export type MwiApi = Pick<MwiService, "snapshot" | "setEnabled" | "profileChanged">;

/** The options every route plugin under routes/ is registered with. */
export interface RouteContext {
  deps: HttpDeps;
  auth: Authenticator;
  /** Signs and checks the token-free audio links (GET /api/v1/audio/:audioId). */
  audioUrls: AudioUrlSigner;
  /** Stored recordings as stored or re-encoded, for every route that serves one. */
  recordings: Recordings;
}

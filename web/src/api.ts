// The REST client of the browser (README "The outside contract", /api/v1 with `Authorization:
// Bearer`, RFC 6750): every answer is parsed with zod, every failure becomes an ApiError naming its
// field; and the session (token, user) kept in sessionStorage, so closing the tab logs out (RFC
// 6750 §5.3).

import type * as z from "zod/mini";
import {
  type AudioFormat,
  type CommunicationJson,
  communicationListSchema,
  errorBodySchema,
  type MwiStatus,
  mwiSnapshotSchema,
  type PatchUserBody,
  type Profile,
  profileSchema,
  sessionAnswerSchema,
  type Voicemail,
  voicemailListSchema,
  voicemailSchema,
} from "./schemas.ts";

export const API_BASE = "/api/v1";

/** A refused request: `field` is the dotted path the server named ("routes.0.language"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The server prefixes a validation message with the field; next to the field that repeats. */
  get reason(): string {
    const prefix = this.field ? `${this.field}: ` : "";
    return prefix && this.message.startsWith(prefix)
      ? this.message.slice(prefix.length)
      : this.message;
  }
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = errorBodySchema.safeParse(parsed);
  if (body.success)
    return new ApiError(res.status, body.data.error, body.data.message, body.data.field);
  return new ApiError(res.status, "HTTP", `the server answered ${res.status} ${res.statusText}`);
}

async function call(input: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch {
    throw new ApiError(
      0,
      "NETWORK",
      "the server cannot be reached; check the connection and retry",
    );
  }
}

export async function login(user: string, password: string): Promise<string> {
  const res = await call(`${API_BASE}/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, password }),
  });
  if (!res.ok) throw await failure(res);
  return sessionAnswerSchema.parse(await res.json()).token;
}

export class Api {
  constructor(
    readonly token: string,
    readonly userId: string,
    /** Called on any 401: the session expired or the server's admin token changed. */
    private readonly onUnauthorized: () => void,
  ) {}

  async #fetch(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await call(`${API_BASE}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401) this.onUnauthorized();
    if (!res.ok) throw await failure(res);
    return res;
  }

  async #json<S extends z.ZodMiniType>(schema: S, method: string, path: string, body?: unknown) {
    const res = await this.#fetch(method, path, body);
    const parsed = schema.safeParse(await res.json());
    if (!parsed.success) {
      throw new ApiError(res.status, "SHAPE", `unexpected answer from ${method} ${path}`);
    }
    return parsed.data as z.infer<S>;
  }

  get #user(): string {
    return `/users/${encodeURIComponent(this.userId)}`;
  }

  /** A cheap authenticated request: tells a stopped server (throws) from a revoked token (401). */
  async check(): Promise<void> {
    await this.#fetch("GET", this.#user);
  }

  profile(): Promise<Profile> {
    return this.#json(profileSchema, "GET", this.#user);
  }

  /** Replaces the named top-level fields; `password` and `pin` are write-only. */
  patchProfile(fields: PatchUserBody): Promise<Profile> {
    return this.#json(profileSchema, "PATCH", this.#user, fields);
  }

  voicemail(): Promise<Voicemail[]> {
    return this.#json(voicemailListSchema, "GET", `${this.#user}/voicemail`);
  }

  markRead(mid: string): Promise<Voicemail> {
    const path = `${this.#user}/voicemail/${encodeURIComponent(mid)}`;
    return this.#json(voicemailSchema, "PATCH", path, { state: "saved" });
  }

  async deleteVoicemail(mid: string): Promise<void> {
    await this.#fetch("DELETE", `${this.#user}/voicemail/${encodeURIComponent(mid)}`);
  }

  /**
   * The recording as a Blob (an <audio> element cannot send a bearer header itself), as stored
   * or re-encoded in `format`.
   */
  async audio(mid: string, format: AudioFormat = "wav"): Promise<Blob> {
    const query = format === "wav" ? "" : `?format=${format}`;
    const res = await this.#fetch(
      "GET",
      `${this.#user}/voicemail/${encodeURIComponent(mid)}/audio${query}`,
    );
    return res.blob();
  }

  /** The user's newest communications with their deliveries (GET /communications). */
  communications(limit = 50): Promise<CommunicationJson[]> {
    return this.#json(communicationListSchema, "GET", `/communications?limit=${limit}`);
  }

  mwi(): Promise<MwiStatus> {
    return this.#json(mwiSnapshotSchema, "GET", `${this.#user}/mwi`);
  }

  async setMwiEnabled(systemId: string, enabled: boolean): Promise<void> {
    await this.#fetch("PUT", `${this.#user}/mwi/${encodeURIComponent(systemId)}`, { enabled });
  }
}

const KEY = "omnivox-session";

export interface Session {
  token: string;
  userId: string;
}

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const value: unknown = JSON.parse(raw);
    if (
      typeof value === "object" &&
      value !== null &&
      "token" in value &&
      "userId" in value &&
      typeof value.token === "string" &&
      typeof value.userId === "string"
    ) {
      return { token: value.token, userId: value.userId };
    }
  } catch {
    // A corrupt entry is the same as none: the user logs in again.
  }
  return undefined;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

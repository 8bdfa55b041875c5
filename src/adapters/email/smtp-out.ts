// SMTP out: the email Adapter, sending renditions through the operator's relay with a pooled
// nodemailer transport. SMTP replies map to retry decisions as RFC 5321 §4.2.1 classes them.

import nodemailer, { type SMTPPoolSentMessageInfo, type Transporter } from "nodemailer";
import type { Logger } from "pino";
import type { Address } from "../../core/address.ts";
import type { Communication } from "../../core/communication.ts";
import { DeliveryError } from "../../core/errors.ts";
import type { Adapter, DeliveryTarget } from "../../core/ports.ts";
import type { AudioAttachment, Rendition } from "../../core/rendition.ts";
import { composeMail } from "./compose.ts";

export interface EmailAdapterOptions {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the relay offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  /** Never send in the clear: a relay that offers no STARTTLS fails the attempt (retried). */
  requireTls?: boolean;
  /** PEM the relay's certificate is checked against, instead of the system's CAs. */
  ca?: string;
  /** Domain of mail we originate (From, Message-ID). */
  fromDomain: string;
  /** smtp.domains: a user's address goes in From and the envelope only in these (default fromDomain). */
  servedDomains?: readonly string[];
  /** Connections the pool may open to the relay. */
  maxConnections?: number;
  logger: Logger;
  /** Loads a recording to attach (the store's audio blobs); without it, mail goes unattached. */
  loadAudio?: (audioId: string) => Promise<Uint8Array | undefined>;
  /** Re-encodes a stored WAV as MP3 or Ogg (the audio worker pool), for routes that ask for it. */
  encodeAudio?: (wav: Uint8Array, format: "mp3" | "ogg") => Promise<Uint8Array>;
}

/** The recording as the mail carries it, and how it is named there. */
interface Attached {
  bytes: Uint8Array;
  attachment: AudioAttachment;
}

export class EmailAdapter implements Adapter {
  readonly name = "email";
  readonly #transport: Transporter<SMTPPoolSentMessageInfo>;
  readonly #fromDomain: string;
  readonly #servedDomains: readonly string[];
  readonly #logger: Logger;
  readonly #loadAudio: EmailAdapterOptions["loadAudio"];
  readonly #encodeAudio: EmailAdapterOptions["encodeAudio"];

  constructor(options: EmailAdapterOptions) {
    this.#fromDomain = options.fromDomain;
    this.#servedDomains = options.servedDomains ?? [options.fromDomain];
    this.#loadAudio = options.loadAudio;
    this.#encodeAudio = options.encodeAudio;
    this.#logger = options.logger.child({ component: "smtp-out" });
    this.#transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      ...(options.requireTls ? { requireTLS: true } : {}),
      ...(options.ca !== undefined ? { tls: { ca: options.ca } } : {}),
      ...(options.user !== undefined
        ? { auth: { user: options.user, pass: options.password ?? "" } }
        : {}),
    });
  }

  handles(address: Address): boolean {
    return address.scheme === "mailto";
  }

  /** The pool connects on first use, so a relay that is down does not stop start-up. */
  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.#transport.close();
  }

  async send(
    communication: Communication,
    rendition: Rendition,
    target: DeliveryTarget,
  ): Promise<string> {
    if (rendition.medium !== "text") {
      throw new DeliveryError(`email takes a text rendition, got ${rendition.medium}`, true);
    }
    const attached = rendition.attachment
      ? await this.#attachment(rendition.attachment, target)
      : undefined;
    const { message, messageId } = composeMail(
      communication,
      attached ? { ...rendition, attachment: attached.attachment } : rendition,
      target,
      { from: this.#fromDomain, served: this.#servedDomains },
      attached?.bytes,
    );
    try {
      const info = await this.#transport.sendMail(message);
      this.#logger.info(
        {
          communicationId: communication.id,
          deliveryId: target.deliveryId,
          response: info.response,
        },
        "mail sent",
      );
      return messageId;
    } catch (err) {
      const mapped = toDeliveryError(err);
      this.#logger.warn(
        {
          communicationId: communication.id,
          deliveryId: target.deliveryId,
          permanent: mapped.permanent,
          err: mapped.message,
        },
        "mail not sent",
      );
      throw mapped;
    }
  }

  /** A blob that is gone or unreadable costs the attachment, never the mail (compose says so). */
  async #attachment(
    attachment: AudioAttachment,
    target: DeliveryTarget,
  ): Promise<Attached | undefined> {
    const wav = await this.#recording(attachment, target);
    if (!wav || attachment.format === "wav") return wav ? { bytes: wav, attachment } : undefined;
    try {
      if (!this.#encodeAudio) throw new Error("no encoder is configured here");
      return { bytes: await this.#encodeAudio(wav, attachment.format), attachment };
    } catch (err) {
      // The recording still goes: as recorded, which every client plays, and named so.
      this.#logger.warn(
        { deliveryId: target.deliveryId, format: attachment.format, err: String(err) },
        "recording not re-encoded; attached as WAV",
      );
      const filename = attachment.filename.replace(/\.[a-z0-9]+$/i, ".wav");
      return {
        bytes: wav,
        attachment: { ...attachment, format: "wav", contentType: "audio/wav", filename },
      };
    }
  }

  async #recording(
    attachment: AudioAttachment,
    target: DeliveryTarget,
  ): Promise<Uint8Array | undefined> {
    let audio: Uint8Array | undefined;
    try {
      audio = await this.#loadAudio?.(attachment.audioId);
    } catch (err) {
      this.#logger.warn(
        { deliveryId: target.deliveryId, audioId: attachment.audioId, err },
        "recording not loaded; mail goes without it",
      );
      return undefined;
    }
    if (!audio) {
      this.#logger.warn(
        { deliveryId: target.deliveryId, audioId: attachment.audioId },
        "recording missing; mail goes without it",
      );
    }
    return audio;
  }
}

/** 5yz replies are permanent; 4yz replies, network faults and anything unknown are retried. */
export function toDeliveryError(err: unknown): DeliveryError {
  const code = smtpCode(err);
  const kind = errorKind(err);
  const message = err instanceof Error ? err.message : String(err);
  // A rejected login is the operator's configuration, not the recipient: keep retrying until fixed.
  const permanent = code !== undefined && code >= 500 && code < 600 && kind !== "EAUTH";
  const label = code !== undefined ? `SMTP ${code}` : (kind ?? "error");
  return new DeliveryError(`mail not sent (${label}): ${message}`, permanent, { cause: err });
}

function smtpCode(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null || !("responseCode" in err)) return undefined;
  const code = err.responseCode;
  return typeof code === "number" ? code : undefined;
}

function errorKind(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  return typeof err.code === "string" ? err.code : undefined;
}

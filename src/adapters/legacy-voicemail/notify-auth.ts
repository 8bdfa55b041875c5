// Who may send an unsolicited message-summary NOTIFY (RFC 3842 §3 leaves it to local policy).
// A UDP source address is trivially forged, so over UDP a NOTIFY from a listed host must also
// answer a digest challenge (RFC 3261 §22) with the credentials configured for that host
// (`legacyVoicemail.credentials`, the ones omnivox itself subscribes with). Over TCP or TLS the
// handshake has proved the address. README/docs/security.md "Unsolicited NOTIFYs".

import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { DigestChallenger, DigestVerifier, NonceService } from "../../protocols/sip/auth/index.ts";
import type { IncomingRequest } from "../../protocols/sip/endpoint.ts";
import { authenticate } from "../../protocols/sip/usage/digest-gate.ts";
import { bare } from "./host-allow.ts";

/** A host's digest credentials (sip-source.ts SipCredential). */
interface HostCredential {
  host: string;
  username: string;
  password: string;
  realm?: string;
}

/** `digest`: UDP needs the host's credentials; `trust`: the UDP source address is enough. */
export type UnsolicitedUdpPolicy = "digest" | "trust";

const DEFAULT_REALM = "omnivox";

export class NotifyAuth {
  readonly #verifier: DigestVerifier;
  readonly #challenger: DigestChallenger;

  constructor(
    private readonly credentials: readonly HostCredential[],
    private readonly policy: UnsolicitedUdpPolicy,
    private readonly logger: Logger,
  ) {
    // Nonces are checked by the node that issued them (the NOTIFY's retry comes straight back),
    // so a per-process key is enough and nothing else can verify them.
    const nonces = new NonceService({ secret: randomBytes(32) });
    this.#verifier = new DigestVerifier(nonces);
    this.#challenger = new DigestChallenger(nonces);
  }

  /**
   * Whether the NOTIFY from one of `hosts` may be taken; when not, it has been answered: 401
   * with a challenge, or 403 when over UDP nothing could prove the host.
   */
  async admit(req: IncomingRequest, hosts: readonly string[]): Promise<boolean> {
    if (req.source.transport !== "udp" || this.policy === "trust") return true;
    const cred = this.credentials.find((c) => hosts.includes(bare(c.host)));
    if (!cred) {
      this.logger.warn(
        { from: req.source.host, hosts },
        "legacy voicemail: unsolicited NOTIFY over UDP from a host without credentials, 403; send it over TCP or configure legacyVoicemail.credentials",
      );
      req.transaction.respond(403, "Forbidden");
      return false;
    }
    const user = await authenticate(req, {
      realm: cred.realm ?? DEFAULT_REALM,
      verifier: this.#verifier,
      challenger: this.#challenger,
      lookup: async (username) =>
        username === cred.username ? { password: cred.password } : undefined,
      logger: this.logger,
    });
    return user !== undefined;
  }
}

// The SIP over TLS listener's certificate (RFC 3261 §26.3.1): the operator's PEM files from
// sip.tls.cert/key, else a self-signed one kept in dataDir (README "Telephone and voicemail").

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createSecureContext } from "node:tls";
import type { Logger } from "pino";
import { type Config, parseListen } from "../config/schema.ts";
import { ConfigError } from "../core/errors.ts";
import type { TlsListenOptions } from "../protocols/sip/endpoint.ts";
import { ensureSelfSigned } from "../protocols/tls/certificate-files.ts";

/**
 * The TLS listener's address and certificate: the operator's files, else a self-signed one in
 * dataDir for the SIP domain and the media address (made once, then reused).
 */
export async function tlsListener(
  config: Config,
  deps: { dataDir: string; logger: Logger },
): Promise<TlsListenOptions> {
  const t = config.sip.tls!;
  const listen = parseListen(t.listen);
  if (t.cert !== undefined && t.key !== undefined) {
    const read = (path: string, key: string) =>
      readFile(path, "utf8").catch((err: NodeJS.ErrnoException) => {
        throw new ConfigError(`sip.tls.${key}: cannot read ${path}: ${err.code ?? err.message}`);
      });
    const cert = await read(t.cert, "cert");
    const key = await read(t.key, "key");
    try {
      // Fails here, naming the keys, rather than when the listener starts.
      createSecureContext({ cert, key });
    } catch (err) {
      throw new ConfigError(
        `sip.tls.cert/key: ${t.cert} and ${t.key} are not a PEM certificate and its key: ${(err as Error).message}`,
      );
    }
    return { ...listen, cert, key };
  }
  const names = [
    ...new Set([config.sip.domain, config.sip.mediaAddress ?? listen.host].filter(isCertName)),
  ];
  const made = await ensureSelfSigned(
    join(deps.dataDir, "sip-tls.crt"),
    join(deps.dataDir, "sip-tls.key"),
    names.length > 0 ? names : ["localhost"],
  ).catch((err: unknown) => {
    if (err instanceof TypeError)
      throw new ConfigError(
        `sip.tls: no self-signed certificate for ${names.join(", ")}: ${err.message}; set sip.tls.cert/key`,
      );
    throw err;
  });
  const log = { cert: made.selfSignedAt?.cert, names };
  if (made.generated)
    deps.logger.warn(
      log,
      `sip tls: self-signed certificate generated at ${made.selfSignedAt?.cert}; set sip.tls.cert/key for production`,
    );
  else
    deps.logger.warn(
      log,
      `sip tls: using the self-signed certificate at ${made.selfSignedAt?.cert}; set sip.tls.cert/key for production`,
    );
  return { ...listen, cert: made.cert, key: made.key };
}

/** A wildcard address names no host a phone could check. */
function isCertName(n: string): boolean {
  return n.length > 0 && n !== "0.0.0.0" && n !== "::";
}

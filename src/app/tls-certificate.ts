// A TLS listener's certificate (SIP over TLS, RFC 3261 §26.3.1; SMTP STARTTLS, RFC 3207): the
// operator's PEM files, else a self-signed one generated once into dataDir and reused.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createSecureContext } from "node:tls";
import type { Logger } from "pino";
import { ConfigError } from "../core/errors.ts";
import { ensureSelfSigned } from "../protocols/tls/certificate-files.ts";

export interface TlsCertificateRequest {
  /** The config section, for errors and logs: "sip.tls", "smtp.tls". */
  section: string;
  /** The operator's PEM files; both or neither (the schema checks). */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** Host names and addresses the self-signed certificate is for. */
  names: readonly string[];
  dataDir: string;
  /** The self-signed files are `<basename>.crt` and `<basename>.key` in dataDir. */
  basename: string;
  logger: Logger;
}

export async function tlsCertificate(
  r: TlsCertificateRequest,
): Promise<{ cert: string; key: string }> {
  if (r.certFile !== undefined && r.keyFile !== undefined) {
    const read = (path: string, key: string) =>
      readFile(path, "utf8").catch((err: NodeJS.ErrnoException) => {
        throw new ConfigError(
          `${r.section}.${key}: cannot read ${path}: ${err.code ?? err.message}`,
        );
      });
    const cert = await read(r.certFile, "cert");
    const key = await read(r.keyFile, "key");
    try {
      // Fails here, naming the keys, rather than when the listener starts.
      createSecureContext({ cert, key });
    } catch (err) {
      throw new ConfigError(
        `${r.section}.cert/key: ${r.certFile} and ${r.keyFile} are not a PEM certificate and its key: ${(err as Error).message}`,
      );
    }
    return { cert, key };
  }
  const names = [...new Set(r.names.filter(isCertName))];
  const made = await ensureSelfSigned(
    join(r.dataDir, `${r.basename}.crt`),
    join(r.dataDir, `${r.basename}.key`),
    names.length > 0 ? names : ["localhost"],
  ).catch((err: unknown) => {
    if (err instanceof TypeError)
      throw new ConfigError(
        `${r.section}: no self-signed certificate for ${names.join(", ")}: ${err.message}; set ${r.section}.cert/key`,
      );
    throw err;
  });
  const what = made.generated
    ? "self-signed certificate generated at"
    : "using the self-signed certificate at";
  r.logger.warn(
    { cert: made.selfSignedAt?.cert, names },
    `${r.section}: ${what} ${made.selfSignedAt?.cert}; set ${r.section}.cert/key for production`,
  );
  return { cert: made.cert, key: made.key };
}

/** A wildcard address names no host a peer could check. */
function isCertName(n: string): boolean {
  return n.length > 0 && n !== "0.0.0.0" && n !== "::";
}

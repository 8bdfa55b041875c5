// The certificate a TLS listener uses (RFC 5246/8446 server authentication): the operator's PEM
// files when configured, else a self-signed one kept in the data directory — generated on the
// first start (key file mode 0600), reused on later ones, replaced when it has expired or no
// longer names the configured hosts.

import { X509Certificate } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { createSelfSigned } from "./self-signed.ts";

export interface TlsCredentials {
  cert: string;
  key: string;
  /** Whether the certificate was generated on this start (the caller logs it). */
  generated: boolean;
  /** Where a self-signed certificate lives; undefined for the operator's own. */
  selfSignedAt?: { cert: string; key: string };
}

/** Whether `cert` is valid at `now` and names every host of `names` in its subjectAltName. */
export function certificateCovers(cert: string, names: string[], now = new Date()): boolean {
  try {
    const x = new X509Certificate(cert);
    if (new Date(x.validTo) <= now || new Date(x.validFrom) > now) return false;
    return names.every((n) => (isIpName(n) ? x.checkIP(n) : x.checkHost(n)) !== undefined);
  } catch {
    return false;
  }
}

function isIpName(n: string): boolean {
  return /^[0-9.]+$/.test(n) || n.includes(":");
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * The self-signed certificate at `certPath`/`keyPath` for `names`, made when it is missing,
 * expired or for other names. The key is written before the certificate, each through a
 * temporary file, so a crash mid-way leaves no certificate without its key.
 */
export async function ensureSelfSigned(
  certPath: string,
  keyPath: string,
  names: string[],
): Promise<TlsCredentials> {
  const at = { cert: certPath, key: keyPath };
  const [cert, key] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (cert !== undefined && key !== undefined && certificateCovers(cert, names)) {
    return { cert, key, generated: false, selfSignedAt: at };
  }
  const made = createSelfSigned({ names });
  await mkdir(dirname(keyPath), { recursive: true });
  await writeFile(`${keyPath}.tmp`, made.key, { mode: 0o600 });
  await chmod(`${keyPath}.tmp`, 0o600);
  await rename(`${keyPath}.tmp`, keyPath);
  await writeFile(`${certPath}.tmp`, made.cert, { mode: 0o644 });
  await rename(`${certPath}.tmp`, certPath);
  return { ...made, generated: true, selfSignedAt: at };
}

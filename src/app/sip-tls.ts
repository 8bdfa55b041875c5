// The SIP over TLS listener (RFC 3261 §26.3.1): its address and certificate — the operator's PEM
// files from sip.tls.cert/key, else a self-signed one kept in dataDir (README "Telephone and
// voicemail"), for the SIP domain and the media address.

import type { Logger } from "pino";
import { type Config, parseListen } from "../config/schema.ts";
import type { TlsListenOptions } from "../protocols/sip/endpoint.ts";
import { tlsCertificate } from "./tls-certificate.ts";

export async function tlsListener(
  config: Config,
  deps: { dataDir: string; logger: Logger },
): Promise<TlsListenOptions> {
  const t = config.sip.tls!;
  const listen = parseListen(t.listen);
  const { cert, key } = await tlsCertificate({
    section: "sip.tls",
    certFile: t.cert,
    keyFile: t.key,
    names: [config.sip.domain, config.sip.mediaAddress ?? listen.host],
    dataDir: deps.dataDir,
    basename: "sip-tls",
    logger: deps.logger,
  });
  return { ...listen, cert, key };
}

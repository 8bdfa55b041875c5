// `omnivox doctor` (README "Running it as a service"): checks what start-up needs — the config,
// the data directory, the database, the listening ports, the speech engines, the mail relay, the
// webhooks, the single inbox's IMAP servers and the cluster's NATS — without starting anything,
// and says for each what to fix. Exit 0 when all
// pass, 1 when one fails, 2 when the config itself cannot be read.

import { createSocket } from "node:dgram";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Socket, connect as tcpConnect } from "node:net";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { connect as natsConnect } from "@nats-io/transport-node";
import { loadConfig } from "../config/load.ts";
import { type Config, parseListen } from "../config/schema.ts";
import { createSttEngine } from "../speech/stt/factory.ts";
import { createTtsEngine } from "../speech/tts/factory.ts";
import { openStore } from "../store/open.ts";

interface Finding {
  check: string;
  ok: boolean;
  /** What was found, or what to do about it. */
  detail: string;
}

const TIMEOUT_MS = 5000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`no answer within ${TIMEOUT_MS / 1000} s (${what})`)),
        TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Why a port cannot be had, said so an operator knows what to change. */
function portAdvice(err: NodeJS.ErrnoException, key: string, port: number): string {
  if (err.code === "EADDRINUSE")
    return `${key}: port ${port} is taken — is omnivox (or another server) already running? change ${key}`;
  if (err.code === "EACCES")
    return `${key}: port ${port} needs CAP_NET_BIND_SERVICE (contrib/omnivox.service grants it) or a port above 1023`;
  if (err.code === "EADDRNOTAVAIL")
    return `${key}: this machine has no address ${err.message.split(" ").pop()}; change ${key}`;
  return `${key}: ${err.message}`;
}

async function canListenTcp(host: string, port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function canListenUdp(host: string, port: number): Promise<void> {
  const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, host, resolve);
  });
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

/** A TCP connection, or a TLS one whose certificate this host trusts (for `host`). */
function open(host: string, port: number, secure: boolean): Socket {
  return secure ? tlsConnect({ host, port, servername: host }) : tcpConnect({ host, port });
}

/**
 * Connects and reads the server's greeting line (SMTP RFC 5321 §4.2 "220 …", IMAP RFC 9051
 * §7.1.1 "* OK …"), then says goodbye with `bye`.
 */
function greeting(host: string, port: number, secure: boolean, bye: string): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve, reject) => {
      const socket = open(host, port, secure);
      socket.setEncoding("utf8");
      socket.once("error", reject);
      socket.once("data", (line: string) => {
        socket.end(bye);
        resolve(line.trim().split("\r\n")[0] ?? "");
      });
    }),
    `${host}:${port}`,
  );
}

/** Connects (with the TLS handshake for https) and closes: no request is sent. */
function reachable(host: string, port: number, secure: boolean): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      const socket = open(host, port, secure);
      socket.once("error", reject);
      socket.once(secure ? "secureConnect" : "connect", () => {
        socket.end();
        resolve();
      });
    }),
    `${host}:${port}`,
  );
}

async function check(findings: Finding[], name: string, run: () => Promise<string>): Promise<void> {
  try {
    findings.push({ check: name, ok: true, detail: await run() });
  } catch (err) {
    findings.push({ check: name, ok: false, detail: message(err) });
  }
}

export async function diagnose(config: Config): Promise<Finding[]> {
  const findings: Finding[] = [];
  await check(findings, "data directory", async () => {
    const probe = join(config.dataDir, `.doctor-${process.pid}`);
    try {
      await mkdir(config.dataDir, { recursive: true });
      await writeFile(probe, "ok");
      await rm(probe, { force: true });
    } catch (err) {
      throw new Error(`dataDir ${config.dataDir} is not writable: ${message(err)}`);
    }
    return `${config.dataDir} is writable`;
  });
  await check(findings, "database", async () => {
    const store = await withTimeout(
      openStore({
        database: config.database,
        dataDir: config.dataDir,
        pgSchema: config.databaseSchema,
      }),
      "database",
    ).catch((err: unknown) => {
      throw new Error(`database ${redact(config.database)}: ${message(err)}`);
    });
    try {
      if (!(await store.ping()))
        throw new Error(`database ${redact(config.database)} does not answer`);
      return `${store.dialect} at ${redact(config.database)}, migrations applied`;
    } finally {
      await store.close();
    }
  });
  const tcp: Array<[string, string]> = [
    ["http.listen", config.http.listen],
    ["smtp.listen", config.smtp.listen],
    ["sip.listen", config.sip.listen],
    ...(config.sip.tls ? [["sip.tls.listen", config.sip.tls.listen] as [string, string]] : []),
  ];
  for (const [key, value] of tcp) {
    await check(findings, key, async () => {
      const { host, port } = parseListen(value);
      if (port === 0) return "a free port chosen at start";
      await canListenTcp(host, port).catch((err: NodeJS.ErrnoException) => {
        throw new Error(portAdvice(err, key, port));
      });
      if (key === "sip.listen")
        await canListenUdp(host, port).catch((err: NodeJS.ErrnoException) => {
          throw new Error(portAdvice(err, `${key} (UDP)`, port));
        });
      return `${host}:${port} is free`;
    });
  }
  await check(findings, "speech.tts", async () => {
    const engine = createTtsEngine(config.speech.tts);
    try {
      await withTimeout(engine.check(), "speech.tts");
      return `${engine.name} runs here`;
    } finally {
      await engine.close();
    }
  });
  await check(findings, "speech.stt", async () => {
    const engine = createSttEngine(config.speech.stt);
    await withTimeout(engine.check(), "speech.stt");
    return `${engine.name} runs here`;
  });
  await check(findings, "smtpOut", async () => {
    const { host, port } = config.smtpOut;
    const said = await greeting(host, port, config.smtpOut.secure, "QUIT\r\n").catch(
      (err: unknown) => {
        throw new Error(
          `cannot reach the relay at ${host}:${port} (${message(err)}); mail waits in the outbox until it can — set smtpOut.host/port`,
        );
      },
    );
    if (!said.startsWith("220"))
      throw new Error(`the relay at ${host}:${port} greets with "${said}", not 220`);
    return `${host}:${port} answers: ${said}`;
  });
  for (const webhook of config.webhooks) {
    await check(findings, `webhooks.${webhook.id}`, async () => {
      const url = new URL(webhook.url);
      const secure = url.protocol === "https:";
      const port = Number(url.port || (secure ? 443 : 80));
      await reachable(url.hostname, port, secure).catch((err: unknown) => {
        throw new Error(
          `cannot reach ${url.origin} (${message(err)}); its events are retried until it can — check webhooks[].url`,
        );
      });
      return `${url.origin} accepts connections (no event sent)`;
    });
  }
  for (const [domain, imap] of Object.entries(config.imap.domains)) {
    await check(findings, `imap.domains.${domain}`, async () => {
      const said = await greeting(imap.host, imap.port, imap.secure, "a LOGOUT\r\n").catch(
        (err: unknown) => {
          throw new Error(
            `cannot reach the IMAP server at ${imap.host}:${imap.port} (${message(err)}); mail read there does not reach voicemail until it can — set imap.domains.${domain}.host/port`,
          );
        },
      );
      if (!said.startsWith("* OK"))
        throw new Error(
          `the IMAP server at ${imap.host}:${imap.port} greets with "${said}", not * OK`,
        );
      return `${imap.host}:${imap.port} answers: ${said}`;
    });
  }
  if (config.cluster) {
    const { nats } = config.cluster;
    await check(findings, "cluster.nats", async () => {
      const nc = await withTimeout(
        natsConnect({ servers: nats.split(",").map((s) => s.trim()), reconnect: false }),
        "cluster.nats",
      ).catch((err: unknown) => {
        throw new Error(`cannot reach NATS at ${nats}: ${message(err)}`);
      });
      await nc.close();
      return `${nats} answers`;
    });
  }
  return findings;
}

/** A database URL without its password. */
function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}

export async function runDoctor(configFile: string | undefined): Promise<number> {
  let config: Config;
  try {
    config = await loadConfig(configFile);
  } catch (err) {
    console.log(`FAIL  config: ${message(err)}`);
    return 2;
  }
  console.log(`ok    config: ${configFile ?? "defaults (no --config)"}`);
  const findings = await diagnose(config);
  for (const f of findings) console.log(`${f.ok ? "ok  " : "FAIL"}  ${f.check}: ${f.detail}`);
  const failed = findings.filter((f) => !f.ok).length;
  console.log(failed === 0 ? "all checks passed" : `${failed} check(s) failed`);
  return failed === 0 ? 0 : 1;
}

// Starts a real omnivox in-process for a test: its own temp dataDir, every listener on port 0, an
// RTP port range no parallel test file holds, a fast outbox, SMTP out pointed at the test's sink.
// Helpers create users and log in over REST.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Logger, pino } from "pino";
import { type Omnivox, startOmnivox } from "../../src/app/omnivox.ts";
import { parseConfig } from "../../src/config/load.ts";
import type { ConfigInput } from "../../src/config/schema.ts";
import { allocateRtpPorts } from "./rtp-ports.ts";

export interface TestApp {
  app: Omnivox;
  dataDir: string;
  /** The RTP range this app was given (`sip.rtpPorts`). */
  rtpPorts: string;
  api(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: unknown }>;
  /** Creates the user; resolves with the SIP secret their phones register with (shown once). */
  addUser(
    profile: Record<string, unknown> & { id: string; password?: string },
  ): Promise<{ sipSecret: string }>;
  login(user: string, password: string): Promise<string>;
  /** Every delivery of the user's communications as "<target> <state>", newest first. */
  deliveries(userId: string): Promise<string[]>;
  /** Stops omnivox; with `keepData` the dataDir stays for a restart. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startTestApp(
  input: ConfigInput & {
    smtpOutPort?: number;
    /** Ports in the RTP range allocated when `sip.rtpPorts` is not given (default 20). */
    rtpPortCount?: number;
    /** The app's logger, for a test that reads the log (default: silent, OMNIVOX_TEST_LOG). */
    logger?: Logger;
  },
  dataDir?: string,
): Promise<TestApp> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), "omnivox-test-")));
  const { smtpOutPort, rtpPortCount, logger: testLogger, ...rest } = input;
  // A range the test names itself is used as given (a test about the range); otherwise one is
  // allocated so that parallel test files never receive each other's RTP.
  const rtp = rest.sip?.rtpPorts === undefined ? allocateRtpPorts(rtpPortCount) : undefined;
  const config = parseConfig({
    dataDir: dir,
    http: { listen: "127.0.0.1:0", adminToken: "test-admin-token-0123456789" },
    smtp: { listen: "127.0.0.1:0", domains: ["example.com"] },
    ...rest,
    sip: { listen: "127.0.0.1:0", ...(rest.sip ?? {}), rtpPorts: rest.sip?.rtpPorts ?? rtp?.range },
    smtpOut: { host: "127.0.0.1", port: smtpOutPort ?? 25, ...(rest.smtpOut ?? {}) },
    outbox: { backoffBaseMs: 50, backoffMaxMs: 500, ackTimeoutMs: 2000, ...(rest.outbox ?? {}) },
    // Calls are not held for a connected web client unless a test is about call waiting.
    icw: { decideMs: 0, ...(rest.icw ?? {}) },
  });
  const logger = testLogger ?? pino({ level: process.env.OMNIVOX_TEST_LOG ?? "silent" });
  let app: Omnivox;
  try {
    app = await startOmnivox(config, { logger, outboxPollMs: 100 });
  } catch (err) {
    rtp?.release();
    throw err;
  }
  const base = `http://127.0.0.1:${app.ports.http!.port}/api/v1`;
  const api: TestApp["api"] = async (method, path, body, token = app.adminToken) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    app,
    dataDir: dir,
    api,
    async addUser(profile) {
      const res = await api("POST", "/users", profile);
      if (res.status !== 201)
        throw new Error(`cannot create user: ${res.status} ${JSON.stringify(res.body)}`);
      return { sipSecret: (res.body as { sipSecret: string }).sipSecret };
    },
    async login(user, password) {
      const res = await api("POST", "/session", { user, password }, "");
      if (res.status !== 200)
        throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { token: string }).token;
    },
    async deliveries(userId) {
      const res = await api("GET", `/communications?userId=${encodeURIComponent(userId)}`);
      return (res.body as Array<{ deliveries: Array<{ target: string; state: string }> }>)
        .flatMap((c) => c.deliveries)
        .map((d) => `${d.target} ${d.state}`);
    },
    rtpPorts: config.sip.rtpPorts,
    async stop(opts = {}) {
      await app.stop();
      rtp?.release();
      if (!opts.keepData) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

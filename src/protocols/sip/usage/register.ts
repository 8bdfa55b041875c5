// The registrar as an endpoint module (RFC 3261 §10.3): REGISTER is digest-authenticated, then
// handed to the Registrar, whose answer (200 with the bindings, 423, 403, 404…) is sent back.
// Lapsed bindings are swept on a timer so their "expired" events fire without new traffic.

import { type IncomingRequest, ModulePriority, type SipEndpoint } from "../endpoint.ts";
import { parseVia } from "../message/index.ts";
import { parseRegister, type Registrar } from "../registrar/index.ts";
import { authenticate, type DigestGateOptions } from "./digest-gate.ts";

/** `userOf` maps the digest username to the user id the Registrar's aorOwner returns. */
export interface RegisterModuleOptions extends DigestGateOptions {
  registrar: Registrar;
  /** The domain whose AORs this registrar holds (the To host of every REGISTER). */
  domain: string;
  /** Default 60 s. */
  minExpires?: number;
  /** Default 3600 s. */
  maxExpires?: number;
  /** Used when the REGISTER names no expiry; default maxExpires capped at 3600 s. */
  defaultExpires?: number;
  /** How often lapsed bindings are swept; default 30 s. */
  sweepIntervalMs?: number;
}

export interface RegisterModule {
  /** Removes the module and stops the sweep timer. */
  stop(): void;
}

export function registerModule(
  endpoint: SipEndpoint,
  options: RegisterModuleOptions,
): RegisterModule {
  const minExpires = options.minExpires ?? 60;
  const maxExpires = options.maxExpires ?? 3600;
  const defaultExpires = options.defaultExpires ?? Math.min(3600, maxExpires);
  if (minExpires > maxExpires)
    throw new RangeError(`minExpires ${minExpires} is above maxExpires ${maxExpires}`);

  async function handle(req: IncomingRequest): Promise<void> {
    // An AOR outside our domain (404) or an unreadable request (400) is answered before the
    // credentials are looked at, so the answer cannot tell a right password from a wrong one.
    const plan = parseRegister(req.message, { domain: options.domain });
    if (!plan.ok && (plan.status === 404 || plan.status === 400)) {
      req.transaction.refuse(plan);
      return;
    }
    const user = await authenticate(req, options);
    if (user === undefined) return;
    const result = options.registrar.handleRegister(req.message, user, {
      domain: options.domain,
      minExpires,
      maxExpires,
      defaultExpires,
      source: {
        host: req.source.host,
        port: req.source.port,
        transport: req.source.transport.toUpperCase(),
        ...sentByOf(req),
      },
    });
    if (result.status >= 300) {
      options.logger?.info(
        { status: result.status, reason: result.reason },
        "sip register refused",
      );
    }
    req.transaction.respond(result.status, result.reason, { headers: result.headers });
  }

  const remove = endpoint.addModule({
    name: "registrar",
    priority: ModulePriority.Usage,
    methods: ["REGISTER"],
    onRequest: (req) => {
      handle(req).catch((err: unknown) => {
        options.logger?.error({ err: String(err) }, "sip register handling failed");
        req.transaction.respond(500, "Server Internal Error");
      });
      return true;
    },
  });
  const sweep = setInterval(() => {
    try {
      options.registrar.sweep();
    } catch (err) {
      options.logger?.error({ err: String(err) }, "sip registrar sweep failed");
    }
  }, options.sweepIntervalMs ?? 30_000);
  sweep.unref();

  return {
    stop() {
      clearInterval(sweep);
      remove();
    },
  };
}

/** The top Via's sent-by, "host:port" with the transport's default port filled in. */
function sentByOf(req: IncomingRequest): { sentBy?: string } {
  const via = parseVia(req.message.headers.get("via") ?? "");
  if (!via) return {};
  const port = via.port ?? (via.transport.toUpperCase() === "TLS" ? 5061 : 5060);
  return { sentBy: `${via.host.replace(/^\[|\]$/g, "").toLowerCase()}:${port}` };
}

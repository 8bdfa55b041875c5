// Connection limits of SMTP in (docs/security.md "Connection limits"): a cap on sessions per
// source address and a total session time, on top of smtp-server's own idle timeout and client
// cap, so one client cannot hold every slot by sending a NOOP just before each idle timeout.
// Refusals are 421 (RFC 5321 §3.8: the service closes the channel; the client may come back).

import type { SMTPServerSession } from "smtp-server";
import { sourceKey } from "../../core/source-address.ts";
import { smtpReply } from "./smtp-reply.ts";

export interface SmtpLimitOptions {
  /** Sessions open at once from one source address (an IPv6 /64 counts as one). */
  maxConnectionsPerSource: number;
  /** Longest a session may stay open, whatever it does; 0 turns the limit off. */
  maxSessionMs: number;
  /** Ends a session with 421 (smtp-server's connection for it: send + close). */
  end: (sessionId: string, reply: string) => void;
  /** A session whose message is being stored is ended only once it is (no lost 250). */
  busy: (sessionId: string) => boolean;
  onRefused?: (source: string, open: number) => void;
}

export interface SmtpLimits {
  /** smtp-server's onConnect: refuses a source over its cap, else arms the session timer. */
  onConnect(session: SMTPServerSession): Error | undefined;
  onClose(session: SMTPServerSession): void;
  /** Called when a busy session is idle again: ends it if its time ran out meanwhile. */
  idle(sessionId: string): void;
  /** Open sessions per source, for metrics and tests. */
  open(source: string): number;
  close(): void;
}

export function createSmtpLimits(opts: SmtpLimitOptions): SmtpLimits {
  const perSource = new Map<string, number>();
  /** Counted sessions: their source and session timer. */
  const sessions = new Map<string, { source: string; timer?: NodeJS.Timeout; expired: boolean }>();

  const expire = (id: string) => {
    const s = sessions.get(id);
    if (!s) return;
    s.expired = true;
    if (!opts.busy(id)) opts.end(id, "4.4.2 session time limit reached, closing connection");
  };

  return {
    onConnect(session) {
      const source = sourceKey(session.remoteAddress);
      const open = perSource.get(source) ?? 0;
      if (open >= opts.maxConnectionsPerSource) {
        opts.onRefused?.(source, open);
        return smtpReply(421, `4.7.0 too many connections from ${source}, try again later`);
      }
      perSource.set(source, open + 1);
      const entry: { source: string; timer?: NodeJS.Timeout; expired: boolean } = {
        source,
        expired: false,
      };
      if (opts.maxSessionMs > 0) {
        entry.timer = setTimeout(() => expire(session.id), opts.maxSessionMs);
        entry.timer.unref();
      }
      sessions.set(session.id, entry);
      return undefined;
    },
    onClose(session) {
      const entry = sessions.get(session.id);
      if (!entry) return;
      sessions.delete(session.id);
      if (entry.timer) clearTimeout(entry.timer);
      const left = (perSource.get(entry.source) ?? 1) - 1;
      if (left > 0) perSource.set(entry.source, left);
      else perSource.delete(entry.source);
    },
    idle(id) {
      if (sessions.get(id)?.expired) expire(id);
    },
    open(source) {
      return perSource.get(sourceKey(source)) ?? 0;
    },
    close() {
      for (const s of sessions.values()) if (s.timer) clearTimeout(s.timer);
    },
  };
}

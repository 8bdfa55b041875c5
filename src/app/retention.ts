// Runs the voicemail retention sweep (gateway/voicemail-retention.ts) on every node: the first
// shortly after start, then every `voicemail.retentionSweepMs`. Nodes need no lease for it, since
// a message deleted twice is deleted once and reported by the node that deleted it.

import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import type { SystemEvents } from "../core/events.ts";
import { sweepExpiredVoicemail } from "../gateway/voicemail-retention.ts";
import type { Store } from "../store/types.ts";

/** The first sweep waits this long (or one interval, if shorter), away from start-up's work. */
const FIRST_SWEEP_MS = 60_000;

export interface RetentionSweeps {
  stop(): Promise<void>;
}

export function startRetentionSweeps(
  config: Config,
  deps: { store: Store; events: SystemEvents; logger: Logger },
): RetentionSweeps {
  const { retentionDays, retentionSweepMs } = config.voicemail;
  const logger = deps.logger.child({ component: "voicemail-retention" });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const sweep = async () => {
    try {
      const result = await sweepExpiredVoicemail(
        {
          store: deps.store,
          systemDays: retentionDays,
          changed: (userId) => deps.events.emit("mailboxChanged", userId),
          logger,
          stopping: () => stopped,
        },
        new Date(),
      );
      logger.info({ ...result, retentionDays: retentionDays ?? null }, "voicemail retention swept");
    } catch (err) {
      logger.warn({ err }, "voicemail retention sweep failed; trying again at the next");
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().finally(() => {
        running = undefined;
        schedule(retentionSweepMs);
      });
    }, ms);
    timer.unref();
  };
  schedule(Math.min(FIRST_SWEEP_MS, retentionSweepMs));

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

// The MWI service (README "Message waiting") over what the systems offer: their MWI sources and
// indicator targets, given at once; mailbox changes and clients coming back reach it on the event
// port. Systems built before it reach it through `MwiLate`, which they use only once running.

import type { Logger } from "pino";
import type { EventBridge } from "../cluster/event-bridge.ts";
import type { Config } from "../config/schema.ts";
import { TargetUnavailableError } from "../core/errors.ts";
import type { SystemEvents } from "../core/events.ts";
import type { MwiCounts } from "../core/mwi.ts";
import type { MwiSink, System } from "../core/ports.ts";
import { MwiService } from "../gateway/mwi-service.ts";
import type { MwiApi } from "../http/deps.ts";
import type { Store } from "../store/types.ts";

/** The MWI service as systems created before it see it. */
export interface MwiLate {
  sink: MwiSink;
  total(userId: string): Promise<MwiCounts>;
  /** Builds the service from the systems; once only. */
  build(systems: readonly System[]): MwiService;
}

export function lateMwi(
  config: Pick<Config, "mwi" | "cluster">,
  deps: { store: Store; events: SystemEvents; logger: Logger },
): MwiLate {
  const { store, events, logger } = deps;
  let built: MwiService | undefined;
  const ready = (): MwiService => {
    if (!built) throw new TargetUnavailableError("the MWI service is not built yet");
    return built;
  };
  return {
    sink: { report: (...args) => ready().report(...args) },
    total: async (userId) => (await ready().snapshot(userId)).total,
    build(systems) {
      const mwi = new MwiService({
        store,
        logger,
        sources: systems.flatMap((s) => s.mwiSources ?? []),
        targets: systems.flatMap((s) => s.indicatorTargets ?? []),
        indicatorTtlMs: config.mwi.indicatorTtlMs,
        retryMs: config.mwi.retryMs,
        // Several nodes change the same users' MWI (docs/cluster.md).
        shared: config.cluster !== undefined,
        onChange: (profile) => {
          if (profile.mwi.phones === "all") events.emit("mailboxChanged", profile.id);
        },
      });
      events.on("profileChanged", (userId) => {
        mwi
          .profileChanged(userId)
          .catch((err) => logger.error({ err, userId }, "mwi: cannot follow the profile change"));
      });
      events.on("mailboxChanged", (userId) => {
        mwi
          .internalChanged(userId)
          .catch((err) => logger.error({ err, userId }, "mwi: cannot read the mailbox counts"));
      });
      events.on("targetAvailable", (address) => mwi.clientAvailable(address));
      built = mwi;
      return mwi;
    },
  };
}

/**
 * The MWI service as the HTTP API uses it: a profile edited through the API is followed before
 * the answer; the systems that follow profiles otherwise (the single inbox) hear of it on the
 * event port, and in a cluster the other nodes hear of profile and MWI switch changes made here.
 */
export function mwiApi(mwi: MwiService, events: SystemEvents, bridge?: EventBridge): MwiApi {
  return {
    snapshot: (userId) => mwi.snapshot(userId),
    setEnabled: (userId, systemId, enabled) => {
      const done = mwi.setEnabled(userId, systemId, enabled);
      if (bridge)
        void done.then(
          () => bridge.announceProfileChanged(userId),
          () => {},
        );
      return done;
    },
    profileChanged: async (userId) => {
      try {
        await mwi.profileChanged(userId);
      } finally {
        events.emit("profileEdited", userId);
        bridge?.announceProfileChanged(userId);
      }
    },
  };
}

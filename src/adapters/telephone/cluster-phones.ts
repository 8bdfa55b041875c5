// Users' phones across the nodes of a cluster (docs/cluster.md "Phones"): each node writes the
// bindings its registrar holds to the shared registrations and reads every node's for a user; a
// call to a phone that only its node's flow reaches (TCP/TLS, a NAT's UDP mapping) is placed by
// that node, which the claiming node asks through the target relay and waits for to the end.
// A user whose phones several nodes hold is rung on all of them at once: the claiming node
// arbitrates which answer keeps the call and calls the other branches off. The phones' MWI
// subscriptions are kept in the store too, and a node that died has its taken over by a
// survivor, which NOTIFYs from then on.

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import { DeliveryError, TargetUnavailableError } from "../../core/errors.ts";
import type { TargetRelay } from "../../core/ports.ts";
import type {
  PhoneSubscriptionsRepo,
  RegistrationsRepo,
  SharedRegistration,
} from "../../core/repositories.ts";
import { type Binding, needsFlow } from "../../protocols/sip/registrar/index.ts";
import type { ForkControl } from "../../protocols/sip/usage/fork.ts";
import type { StoredSubscription, SubscriptionShare } from "../../protocols/sip/usage/mwi/index.ts";
import type { RegisteredContact } from "./adapter.ts";

export interface ClusterPhones {
  nodeId: string;
  registrations: RegistrationsRepo;
  subscriptions: PhoneSubscriptionsRepo;
  relay: TargetRelay;
  /** Whether a node runs now (LinkOwnership.nodeRunning); rejects when it cannot tell. */
  nodeRunning(nodeId: string): Promise<boolean>;
}

/** A call one node hands to the node holding the phone's flow: what it needs to place it. */
const forwardedCallSchema = z.strictObject({
  /** The delivery's target address (tel: or sip:), located again there. */
  to: z.string().min(1).max(2048),
  audioId: z.string().min(1).max(256),
  from: z.strictObject({
    uri: z.string().min(1).max(2048),
    displayName: z.string().max(256).optional(),
  }),
  answerTimeoutMs: z.number().int().positive().max(600_000),
  communicationId: z.string().min(1).max(256),
  /** One branch of a fork across nodes: the node that decides which answer keeps the call. */
  fork: z.strictObject({ id: z.uuid(), arbiter: z.string().min(1).max(256) }).optional(),
});
export type ForwardedCall = z.infer<typeof forwardedCallSchema>;
type ForkRef = NonNullable<ForwardedCall["fork"]>;

/** What the nodes of a fork tell each other: a branch's phone answered, or the rest are off. */
const forkMessageSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("answered"),
    fork: z.uuid(),
    node: z.string().min(1).max(256),
  }),
  z.strictObject({ type: z.literal("cancel"), fork: z.uuid() }),
]);
type ForkMessage = z.infer<typeof forkMessageSchema>;

/** The relay key under which a node's telephone system takes calls handed to it. */
const nodeKey = (nodeId: string) => `sip-node:${nodeId}`;
/** The relay key under which a node hears about the forks it rings or arbitrates. */
const forkKey = (nodeId: string) => `sip-fork:${nodeId}`;
/** How long a fork's answer or cancel may take to reach the other node. */
const FORK_MESSAGE_MS = 5000;

function sharedOf(b: Binding, nodeId: string): SharedRegistration {
  return {
    aor: b.aor,
    contactKey: b.key,
    userId: b.userId,
    contact: b.contact,
    expiresAt: new Date(b.expiresAt),
    registeredAt: new Date(b.registeredAt),
    nodeId,
    ...(b.path?.length ? { path: [...b.path] } : {}),
    direct: !needsFlow(b),
  };
}

/**
 * Mirrors this node's bindings into the shared registrations as the registrar changes them, and
 * sweeps rows that lapsed (a node that died leaves its rows; they expire as the bindings did).
 * Soft state: a write that fails is logged, and the phone's next REGISTER writes it again.
 */
export function shareBindings(
  phones: { onBindings(listener: (e: { type: string; binding: Binding }) => void): () => void },
  cluster: ClusterPhones,
  logger: Logger,
  sweepMs = 60_000,
): () => void {
  const { registrations, nodeId } = cluster;
  const off = phones.onBindings(({ type, binding }) => {
    const write =
      type === "added" || type === "refreshed"
        ? registrations.put(sharedOf(binding, nodeId))
        : registrations.remove(binding.aor, binding.key, nodeId);
    write.catch((err: unknown) =>
      logger.warn({ err: String(err), aor: binding.aor }, "cluster: registration not shared"),
    );
  });
  const sweep = setInterval(() => {
    registrations
      .sweep(new Date(Date.now() - sweepMs))
      .catch((err: unknown) => logger.warn({ err: String(err) }, "cluster: registration sweep"));
  }, sweepMs);
  sweep.unref();
  return () => {
    off();
    clearInterval(sweep);
  };
}

/**
 * The user's phones on every node: this node's own as `local` makes them, the others' from the
 * shared registrations — those only their node's flow reaches marked with that node. A binding
 * another node took since (the phone registered there again) is that node's, not ours.
 */
export async function phonesAcross(
  userId: string,
  local: readonly Binding[],
  contactOf: (b: Binding) => RegisteredContact,
  cluster: ClusterPhones,
): Promise<RegisteredContact[]> {
  const shared = await cluster.registrations.ofUser(userId, new Date());
  const moved = new Set(
    shared.filter((r) => r.nodeId !== cluster.nodeId).map((r) => `${r.aor} ${r.contactKey}`),
  );
  const mine = local.filter((b) => !moved.has(`${b.aor} ${b.key}`)).map(contactOf);
  const theirs = shared
    .filter((r) => r.nodeId !== cluster.nodeId)
    .map(
      (r): RegisteredContact => ({
        uri: r.contact,
        ...(r.path?.length ? { path: r.path } : {}),
        ...(r.direct ? {} : { node: r.nodeId }),
      }),
    );
  return [...mine, ...theirs];
}

/** Hands a call to the node holding the phone's flow; resolves with its Call-ID once it ended. */
export async function callThrough(
  cluster: ClusterPhones,
  nodeId: string,
  call: ForwardedCall,
  timeoutMs: number,
): Promise<string | undefined> {
  try {
    return await cluster.relay.forward(
      nodeKey(nodeId),
      call.communicationId,
      JSON.stringify(call),
      {
        timeoutMs,
      },
    );
  } catch (err) {
    // Not a client that comes back with an availability event: the phone registers again
    // (there or on another node), so the delivery backs off and is tried again.
    if (err instanceof TargetUnavailableError)
      throw new DeliveryError(
        `${call.to}: node ${nodeId}, which holds the phone's connection, did not take the call (${err.message}); will try again later`,
        false,
        { cause: err },
      );
    throw err;
  }
}

/** The branch of a fork that won, with the Call-ID of its call. */
export interface ForkWon {
  node: string;
  callId: string | undefined;
}

/**
 * Rings one call on phones several nodes hold (RFC 3261 §16.7's parallel forking, spread over
 * nodes): this node's own phones and one branch handed to each other node ring at once; the
 * first answer reported to this node (the arbiter) keeps the call, and every other branch is
 * called off (CANCEL with "Call completed elsewhere"). A branch's node asks before it plays, so
 * a message is heard on one phone only, also when two answer at once on different nodes.
 */
export interface CrossNodeForks {
  ring(
    call: ForwardedCall,
    nodes: readonly string[],
    local: ((fork: ForkControl) => Promise<string | undefined>) | undefined,
    timeoutMs: number,
  ): Promise<ForkWon>;
  /** The control of a branch another node handed to this one; `done` once its call ended. */
  branch(fork: ForkRef): { control: ForkControl; done(): void };
  /** Hears answers and cancels of forks while the telephone system runs; returns what stops it. */
  listen(): () => void;
}

export function crossNodeForks(cluster: ClusterPhones, logger: Logger): CrossNodeForks {
  const self = cluster.nodeId;
  /** Forks this node arbitrates: who may keep the call. */
  const arbiters = new Map<string, (node: string) => boolean>();
  /** Branches ringing here for another node's fork. */
  const ringing = new Map<string, AbortController>();
  /** Cancels that came before their branch rang (the relay does not keep order across keys). */
  const early = new Set<string>();
  const tell = (node: string, message: ForkMessage) =>
    cluster.relay.forward(
      forkKey(node),
      `${message.fork}:${message.type}`,
      JSON.stringify(message),
      {
        timeoutMs: FORK_MESSAGE_MS,
      },
    );
  return {
    async ring(call, nodes, local, timeoutMs) {
      const id = randomUUID();
      const localOff = new AbortController();
      let winner: string | undefined;
      arbiters.set(id, (node) => {
        if (winner !== undefined) return winner === node;
        winner = node;
        if (node !== self) localOff.abort();
        for (const other of nodes)
          if (other !== node)
            tell(other, { type: "cancel", fork: id }).catch((err: unknown) =>
              logger.warn(
                { err: String(err), node: other, fork: id },
                "cluster: fork branch not called off",
              ),
            );
        return true;
      });
      const names = [...(local ? [self] : []), ...nodes];
      try {
        const results = await Promise.allSettled([
          ...(local
            ? [
                local({
                  signal: localOff.signal,
                  admit: async () => arbiters.get(id)?.(self) ?? false,
                }),
              ]
            : []),
          ...nodes.map((node) =>
            callThrough(cluster, node, { ...call, fork: { id, arbiter: self } }, timeoutMs),
          ),
        ]);
        if (winner !== undefined) {
          const won = results[names.indexOf(winner)];
          if (won?.status === "fulfilled") return { node: winner, callId: won.value };
          throw won?.reason ?? new DeliveryError(`${call.to}: the answering branch is gone`);
        }
        throw noneAnswered(call.to, results);
      } finally {
        arbiters.delete(id);
      }
    },
    branch(fork) {
      const off = new AbortController();
      ringing.set(fork.id, off);
      if (early.delete(fork.id)) off.abort();
      const admit = async () =>
        fork.arbiter === self
          ? (arbiters.get(fork.id)?.(self) ?? false)
          : (await tell(fork.arbiter, { type: "answered", fork: fork.id, node: self })) === "won";
      return {
        control: { signal: off.signal, admit },
        done: () => {
          ringing.delete(fork.id);
        },
      };
    },
    listen() {
      return cluster.relay.hold(forkKey(self), (_id, body) => {
        let message: ForkMessage;
        try {
          message = forkMessageSchema.parse(JSON.parse(body));
        } catch {
          return Promise.reject(new DeliveryError("fork message not understood", true));
        }
        if (message.type === "answered")
          return Promise.resolve(arbiters.get(message.fork)?.(message.node) ? "won" : "lost");
        const branch = ringing.get(message.fork);
        if (branch) branch.abort();
        else {
          early.add(message.fork);
          setTimeout(() => early.delete(message.fork), 60_000).unref();
        }
        return Promise.resolve("ok");
      });
    },
  };
}

/** No branch answered: permanent only when every branch failed for good. */
function noneAnswered(
  to: string,
  results: readonly PromiseSettledResult<unknown>[],
): DeliveryError {
  const reasons = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  const permanent =
    reasons.length > 0 && reasons.every((r) => r instanceof DeliveryError && r.permanent);
  const text = reasons.map((r) => (r instanceof Error ? r.message : String(r))).join("; ");
  return new DeliveryError(`${to}: no phone answered on any node (${text})`, permanent, {
    cause: reasons[0],
  });
}

/** Takes the calls other nodes hand to this one while its telephone system runs. */
export function takeCalls(
  cluster: ClusterPhones,
  place: (call: ForwardedCall) => Promise<string | undefined>,
): () => void {
  return cluster.relay.hold(nodeKey(cluster.nodeId), (_id, body) => {
    let call: ForwardedCall;
    try {
      call = forwardedCallSchema.parse(JSON.parse(body));
    } catch {
      return Promise.reject(new DeliveryError("forwarded call not understood", true));
    }
    return place(call);
  });
}

const storedSchema = z.strictObject({
  userId: z.string().min(1),
  eventId: z.string().optional(),
  expiresAt: z.number(),
  dialog: z.strictObject({
    callId: z.string(),
    localTag: z.string(),
    remoteTag: z.string(),
    localUri: z.string(),
    remoteUri: z.string(),
    remoteTarget: z.string(),
    routeSet: z.array(z.string()),
    localSeq: z.number().int(),
    remoteSeq: z.number().int().optional(),
    localContact: z.string(),
    destination: z.strictObject({
      host: z.string(),
      port: z.number().int(),
      transport: z.enum(["udp", "tcp", "tls"]),
    }),
  }),
});

function storedOf(state: string): StoredSubscription {
  const { eventId, dialog, ...rest } = storedSchema.parse(JSON.parse(state));
  return {
    ...rest,
    ...(eventId !== undefined ? { eventId } : {}),
    dialog: { ...dialog, remoteSeq: dialog.remoteSeq },
  };
}

/** Writes this node's phone subscriptions to the store as they are made, refreshed and ended. */
export function subscriptionShare(cluster: ClusterPhones, logger: Logger): SubscriptionShare {
  const { subscriptions, nodeId } = cluster;
  const failed = (err: unknown) =>
    logger.warn({ err: String(err) }, "cluster: phone subscription not shared");
  return {
    saved: (s) => {
      subscriptions
        .put({
          callId: s.dialog.callId,
          localTag: s.dialog.localTag,
          userId: s.userId,
          nodeId,
          expiresAt: new Date(s.expiresAt),
          state: JSON.stringify(s),
        })
        .catch(failed);
    },
    ended: (callId, localTag) => {
      subscriptions.remove(callId, localTag, nodeId).catch(failed);
    },
  };
}

/**
 * Takes over the phone subscriptions of nodes that no longer run: this node's own left from
 * before a restart at once, then every `everyMs` those of any node whose id lease lapsed. Only
 * one survivor gets each subscription (PhoneSubscriptionsRepo.adopt); a node whose state cannot
 * be told (NATS away) is left alone.
 */
export function adoptSubscriptions(
  cluster: ClusterPhones,
  phones: { adopt(subscription: StoredSubscription): void },
  logger: Logger,
  everyMs = 3000,
): () => void {
  const { subscriptions, nodeId } = cluster;
  const take = async (from: string) => {
    const rows = await subscriptions.adopt(from, nodeId, new Date());
    for (const row of rows) {
      try {
        phones.adopt(storedOf(row.state));
      } catch (err) {
        logger.warn({ err: String(err), callId: row.callId }, "cluster: subscription unreadable");
      }
    }
    if (rows.length > 0)
      logger.info(
        { from, subscriptions: rows.length },
        "cluster: phones' subscriptions taken over",
      );
  };
  let busy = false;
  const scan = async () => {
    if (busy) return;
    busy = true;
    try {
      for (const holder of await subscriptions.holders(nodeId))
        if (!(await cluster.nodeRunning(holder))) await take(holder);
    } catch (err) {
      logger.warn({ err: String(err) }, "cluster: cannot look for orphaned phone subscriptions");
    } finally {
      busy = false;
    }
  };
  // This node's id is its own (the id lease), so rows naming it are from before a restart.
  void take(nodeId).catch((err: unknown) =>
    logger.warn({ err: String(err) }, "cluster: own phone subscriptions not taken back"),
  );
  const timer = setInterval(() => void scan(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

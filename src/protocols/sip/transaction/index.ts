// Public face of the SIP transaction layer (RFC 3261 §17, RFC 6026): the four state machines,
// their matching keys, the table that holds them and the timers they run on.

export { buildNon2xxAck } from "./ack.ts";
export { SipTimeoutError, type TransactionChannel, type TransactionContext } from "./base.ts";
export type { ClientTransaction, ClientTransactionUser } from "./client-types.ts";
export { InviteClientState, InviteClientTransaction } from "./invite-client.ts";
export { InviteServerState, InviteServerTransaction } from "./invite-server.ts";
export { clientKey, clientKeyForResponse, inviteKeyFor, MAGIC_COOKIE, serverKey } from "./keys.ts";
export { NonInviteClientState, NonInviteClientTransaction } from "./non-invite-client.ts";
export { NonInviteServerState, NonInviteServerTransaction } from "./non-invite-server.ts";
export { reasonPhrase } from "./reasons.ts";
export {
  type RespondOptions,
  type ServerContext,
  type ServerTransaction,
  ServerTransactionBase,
} from "./server-base.ts";
export { TransactionTable } from "./table.ts";
export {
  DEFAULT_TIMERS,
  ManualClock,
  realScheduler,
  resolveTimers,
  type Scheduler,
  type TimerConfig,
  type TimerHandle,
} from "./timers.ts";

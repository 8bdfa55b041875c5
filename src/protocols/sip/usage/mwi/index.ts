// Public face of SIP message-waiting indication towards phones (RFC 3842 over RFC 6665): the
// message-summary notifier and its unsolicited-NOTIFY helpers.

export {
  type MwiNotifier,
  type MwiNotifierOptions,
  type MwiSubscriptionInfo,
  mwiNotifier,
} from "./notifier.ts";
export { EVENT_PACKAGE, readSubscribe, SUMMARY_TYPE } from "./request.ts";
export type { EndCause, TerminationReason } from "./subscription.ts";

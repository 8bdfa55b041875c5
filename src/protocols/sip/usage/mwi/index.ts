// Public face of SIP message-waiting indication (RFC 3842 over RFC 6665): the message-summary
// notifier towards phones with its unsolicited-NOTIFY helpers, and the subscriber towards boxes.

export {
  type MwiNotifier,
  type MwiNotifierOptions,
  type MwiSubscriptionInfo,
  mwiNotifier,
  type StoredSubscription,
  type SubscriptionShare,
} from "./notifier.ts";
export { type NotifyRead, readNotify, type SubscriptionState } from "./notify-read.ts";
export { EVENT_PACKAGE, readSubscribe, SUMMARY_TYPE } from "./request.ts";
export {
  MwiClientSubscription,
  type MwiSubscribeOptions,
  type SubscriberStatus,
  type SummaryEvent,
} from "./subscriber.ts";
export { MwiSubscriberHub, type MwiSubscriberHubOptions } from "./subscriber-hub.ts";
export type { EndCause, TerminationReason } from "./subscription.ts";

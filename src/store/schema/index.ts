// The whole database as kysely sees it: the intersection of every table's PartialDB (the
// atproto PDS layout, one file per table).

import type * as audioBlobs from "./audio-blobs.ts";
import type * as clusterSettings from "./cluster-settings.ts";
import type * as communications from "./communications.ts";
import type * as deliveries from "./deliveries.ts";
import type * as mwiIndicators from "./mwi-indicators.ts";
import type * as mwiState from "./mwi-state.ts";
import type * as mwiVersions from "./mwi-versions.ts";
import type * as nativeIds from "./native-ids.ts";
import type * as phoneSubscriptions from "./phone-subscriptions.ts";
import type * as pinLockouts from "./pin-lockouts.ts";
import type * as sessions from "./sessions.ts";
import type * as sipRegistrations from "./sip-registrations.ts";
import type * as userEmails from "./user-emails.ts";
import type * as userJids from "./user-jids.ts";
import type * as userPhones from "./user-phones.ts";
import type * as users from "./users.ts";
import type * as voicemailMessages from "./voicemail-messages.ts";

export type DatabaseSchema = users.PartialDB &
  userEmails.PartialDB &
  userPhones.PartialDB &
  userJids.PartialDB &
  sessions.PartialDB &
  sipRegistrations.PartialDB &
  phoneSubscriptions.PartialDB &
  pinLockouts.PartialDB &
  communications.PartialDB &
  nativeIds.PartialDB &
  deliveries.PartialDB &
  mwiState.PartialDB &
  mwiIndicators.PartialDB &
  mwiVersions.PartialDB &
  voicemailMessages.PartialDB &
  audioBlobs.PartialDB &
  clusterSettings.PartialDB;

export type { AudioBlobRow } from "./audio-blobs.ts";
export type { ClusterSettingRow } from "./cluster-settings.ts";
export type { CommunicationRow } from "./communications.ts";
export type { DeliveryRow } from "./deliveries.ts";
export type { MwiIndicatorDbRow } from "./mwi-indicators.ts";
export type { MwiStateDbRow } from "./mwi-state.ts";
export type { MwiVersionRow } from "./mwi-versions.ts";
export type { NativeIdRow } from "./native-ids.ts";
export type { PhoneSubscriptionRow } from "./phone-subscriptions.ts";
export type { PinLockoutRow } from "./pin-lockouts.ts";
export type { SessionRow } from "./sessions.ts";
export type { SipRegistrationRow } from "./sip-registrations.ts";
export type { UserEmailRow } from "./user-emails.ts";
export type { UserJidRow } from "./user-jids.ts";
export type { UserPhoneRow } from "./user-phones.ts";
export type { UserRow } from "./users.ts";
export type { VoicemailMessageRow } from "./voicemail-messages.ts";

// Every migration, listed in order by hand (as the atproto PDS does) and handed to kysely's
// Migrator through a provider, so bundling or a changed working directory cannot lose one.

import type { Migration, MigrationProvider } from "kysely";
import * as m001 from "./001-initial.ts";
import * as m002 from "./002-sip-digest.ts";
import * as m003 from "./003-mwi-indicators.ts";
import * as m004sessions from "./004-sessions.ts";
import * as m004jids from "./004-user-jids.ts";
import * as m005 from "./005-sip-secrets.ts";
import * as m006pins from "./006-pin-lockout.ts";
import * as m007 from "./007-route-and-audio-refs.ts";
import * as m008 from "./008-cluster-settings.ts";
import * as m009 from "./009-mwi-versions.ts";
import * as m010 from "./010-sip-registrations.ts";
import * as m011 from "./011-phone-subscriptions.ts";

export const migrations: Record<string, Migration> = {
  "001-initial": m001,
  "002-sip-digest": m002,
  "003-mwi-indicators": m003,
  "004-sessions": m004sessions,
  "004-user-jids": m004jids,
  "005-sip-secrets": m005,
  "006-pin-lockout": m006pins,
  "007-route-and-audio-refs": m007,
  "008-cluster-settings": m008,
  "009-mwi-versions": m009,
  "010-sip-registrations": m010,
  "011-phone-subscriptions": m011,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

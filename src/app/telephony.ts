// Wires the telephone system and our voicemail store into the running gateway: SIP endpoint,
// prompts, deposit and mailbox over the store, with `mailboxChanged` as the hook for MWI.

import { join } from "node:path";
import type { Logger } from "pino";
import { Prompts } from "../adapters/telephone/prompts.ts";
import { TelephoneService } from "../adapters/telephone/service.ts";
import type { DepositTranscriber } from "../adapters/telephone/transcript.ts";
import { VoicemailStore } from "../adapters/voicemail/store.ts";
import { type Config, parseListen } from "../config/schema.ts";
import { ConfigError } from "../core/errors.ts";
import type { Gateway } from "../core/ports.ts";
import type { Store } from "../store/types.ts";
import { startSipPhones } from "./sip-phones.ts";

export interface Telephony {
  service: TelephoneService;
  voicemail: VoicemailStore;
  sip: { host: string; port: number };
  /** Pushes a user's new message counts to their phones (MWI NOTIFY). */
  notifyPhones(userId: string): void;
  stop(): Promise<void>;
}

export interface TelephonyDeps {
  store: Store;
  gateway: Gateway;
  logger: Logger;
  dataDir: string;
  /** Keys the SIP digest nonces (the admin token; only a derived key is used). */
  secret: string;
  /** Called after every change of a user's mailbox (deposit, save, delete). */
  mailboxChanged: (userId: string) => void;
  /** Transcribes deposits while they are recorded (app/speech.ts); none without an STT engine. */
  transcriber?: DepositTranscriber;
}

export async function startTelephony(config: Config, deps: TelephonyDeps): Promise<Telephony> {
  const listen = parseListen(config.sip.listen);
  const mediaAddress = config.sip.mediaAddress ?? listen.host;
  if (mediaAddress === "0.0.0.0" || mediaAddress === "::") {
    throw new ConfigError(
      "sip.mediaAddress: set the address phones reach omnivox at when sip.listen is a wildcard",
    );
  }
  let phones: ReturnType<typeof startSipPhones> | undefined;
  const voicemail = new VoicemailStore(
    deps.store,
    deps.gateway,
    config.sip.domain,
    deps.mailboxChanged,
  );
  const service = new TelephoneService(
    {
      listen,
      mediaAddress,
      rtpPorts: config.sip.rtpPorts,
      ...(config.sip.accessNumber ? { accessNumber: config.sip.accessNumber } : {}),
      voicemail: config.voicemail,
      tmpDir: join(deps.dataDir, "tmp"),
    },
    {
      logger: deps.logger.child({ component: "telephone" }),
      prompts: await Prompts.load(),
      mailboxFor: (n) => voicemail.mailboxFor(n),
      identifyCaller: (req) => phones?.identifyCaller(req) ?? Promise.resolve(undefined),
      greetingFor: (u) => voicemail.greetingFor(u),
      deposit: (m) => voicemail.deposit(m),
      mailbox: voicemail,
      ...(deps.transcriber ? { transcriber: deps.transcriber } : {}),
    },
  );
  const sip = await service.start();
  phones = startSipPhones(config, {
    endpoint: service.endpoint,
    dialogs: service.dialogs,
    store: deps.store,
    logger: deps.logger.child({ component: "phones" }),
    secret: deps.secret,
    localContact: `sip:omnivox@${mediaAddress}:${sip.port}`,
  });
  const started = phones;
  return {
    service,
    voicemail,
    sip,
    notifyPhones: (userId) => started.notifyChanged(userId),
    stop: async () => {
      started.stop();
      await service.stop();
    },
  };
}

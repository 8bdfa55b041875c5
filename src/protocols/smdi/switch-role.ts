// omnivox standing where the switch stands on an SMDI link (Telcordia GR-283-CORE): it learns lamp
// state from the voicemail system's OP:MWI / RMV:MWI, refuses unknown (INV) or blocked (BLK)
// stations, and sends call details when it forwards a call into that voicemail system.

import type { Logger } from "pino";
import type { SmdiCallType, SmdiFrame } from "./frames.ts";

/** The part of a link the switch role uses (SmdiLink, or a fake in tests). */
export interface SmdiFrameChannel {
  on(event: "frame", listener: (frame: SmdiFrame) => void): unknown;
  off(event: "frame", listener: (frame: SmdiFrame) => void): unknown;
  send(frame: SmdiFrame): boolean;
}

export interface SwitchRoleOptions {
  link: SmdiFrameChannel;
  /** Does any profile name this station on this link? No: the command is answered INV. */
  knowsStation(station: string): boolean | Promise<boolean>;
  /** Has the user deactivated MWI from this system for the station? Yes: answered BLK. */
  isBlocked(station: string): boolean | Promise<boolean>;
  /** The voicemail system turned a known, unblocked station's lamp on or off. */
  onMwi(station: string, on: boolean): void | Promise<void>;
  /** Message desk number put in call details (3 digits, default "001"). */
  desk?: string;
  /** Default message desk terminal (4 digits, default "0001"). */
  terminal?: string;
  logger?: Logger;
  id?: string;
}

export interface CallForward {
  type: SmdiCallType;
  /** The station whose box gets the message. */
  forwardingStation: string;
  /** The caller's number (ANI); empty or omitted when unknown. */
  callingStation?: string;
  /** The voicemail port the call is put on, when not the default terminal. */
  terminal?: string;
}

export interface SwitchRole {
  /** Announces a call omnivox is forwarding into the voicemail system (see SmdiLink.send). */
  sendCallDetail(call: CallForward): boolean;
  /** The lamp state last accepted for each station (INV/BLK commands change nothing). */
  readonly lamps: ReadonlyMap<string, boolean>;
  /** Resolves when every MWI command received so far has been handled. */
  idle(): Promise<void>;
  /** Stops listening to the link (the link itself stays open). */
  stop(): void;
}

/**
 * Commands are handled one at a time in arrival order, so a quick on/off pair for a station
 * reaches onMwi in the order the voicemail system sent it, even when the hooks are async.
 */
export function switchRole(options: SwitchRoleOptions): SwitchRole {
  const { link, logger } = options;
  const id = options.id;
  let chain: Promise<void> = Promise.resolve();
  const lamps = new Map<string, boolean>();

  async function handleMwi(station: string, on: boolean): Promise<void> {
    if (!(await options.knowsStation(station))) {
      logger?.info({ smdi: id, station, on }, "smdi: MWI for an unknown station, answered INV");
      link.send({ kind: "mwi-error", station, reason: "INV" });
      return;
    }
    if (await options.isBlocked(station)) {
      logger?.info({ smdi: id, station, on }, "smdi: MWI for a blocked station, answered BLK");
      link.send({ kind: "mwi-error", station, reason: "BLK" });
      return;
    }
    lamps.set(station, on);
    await options.onMwi(station, on);
  }

  const onFrame = (frame: SmdiFrame): void => {
    if (frame.kind !== "mwi") {
      // call details and MWI errors travel switch → voicemail; a peer sending them is confused
      logger?.warn({ smdi: id, kind: frame.kind }, "smdi: frame not meant for the switch, ignored");
      return;
    }
    chain = chain
      .then(() => handleMwi(frame.station, frame.on))
      .catch((err: unknown) => {
        logger?.error({ smdi: id, station: frame.station, err }, "smdi: MWI handling failed");
      });
  };
  link.on("frame", onFrame);

  return {
    sendCallDetail(call) {
      return link.send({
        kind: "call-detail",
        desk: options.desk ?? "001",
        terminal: call.terminal ?? options.terminal ?? "0001",
        type: call.type,
        forwardingStation: call.forwardingStation,
        callingStation: call.callingStation ?? "",
      });
    },
    lamps,
    idle: () => chain,
    stop() {
      link.off("frame", onFrame);
    },
  };
}

// Internet call waiting (docs/architecture.md "Systems and conversions" `icw`): a call offered to
// an online user, who picks voicemail, forward (SIP 302), a spoken reply, or a takeover while it
// records; then it ends.

import type { Logger } from "pino";
import type {
  CallActions,
  ClientRef,
  IcwAction,
  IcwDecision,
  IcwRefusal,
  IcwState,
  WaitingCall,
} from "../../core/call-waiting.ts";
import type { CallLeg, CallParty, OutboundLeg } from "../../core/telephony.ts";
import { ScreenTee } from "./screen-tee.ts";
import { interruptible, relay } from "./takeover.ts";

/** Who shows the call and records the choice (the web client adapter). */
export interface IcwHooks {
  /** The call entered `call.state` (ringing first: the alert). */
  changed(call: IcwCall): void;
  /** The user chose (or the time ran out): `by` is the client id, or "timeout". */
  decided(call: IcwCall, action: IcwAction, by: string, warnings: string[]): void;
}

/** Telephony the decisions need: TTS for replies, outbound calls for takeovers. */
export interface IcwMedia {
  speak(text: string): Promise<Int16Array>;
  /** Refuses a target that cannot be called before anything is dialled. */
  check(to: string): IcwRefusal | undefined;
  dial(to: string, party: CallParty): Promise<OutboundLeg>;
}

export interface IcwCallInit {
  id: string;
  userId: string;
  party: CallParty;
  decideMs: number;
  ended: Promise<unknown>;
  hooks: IcwHooks;
  media: IcwMedia;
  logger: Logger;
}

export class IcwCall implements WaitingCall {
  readonly id: string;
  readonly userId: string;
  readonly party: CallParty;
  readonly decideBy: Date;
  /** Settles with the choice: at once for a click, at `decideBy` with voicemail otherwise. */
  readonly decision: Promise<IcwDecision>;
  /** Settles once the call is over on every leg. */
  readonly finished: Promise<void>;
  readonly screen = new ScreenTee();
  #state: IcwState = "ringing";
  #chosen = false;
  #recordingOver = false;
  #dialling = false;
  #resolve!: (d: IcwDecision) => void;
  readonly #timer: NodeJS.Timeout;
  #caller: { leg: CallLeg; toCaller: (pcm: Int16Array) => void; interrupt(): void } | undefined;
  #relayed: Promise<void> | undefined;

  constructor(private readonly init: IcwCallInit) {
    this.id = init.id;
    this.userId = init.userId;
    this.party = init.party;
    this.decideBy = new Date(Date.now() + init.decideMs);
    this.decision = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#timer = setTimeout(() => this.#choose({ action: "voicemail" }, "timeout"), init.decideMs);
    this.finished = init.ended.then(async () => {
      clearTimeout(this.#timer);
      // A caller who hangs up while it rings decides nothing; the service only needs an answer.
      this.#resolve({ action: "voicemail" });
      await this.#relayed;
      this.screen.close();
      if (this.#state === "forwarded") return;
      this.#enter("ended");
    });
    init.hooks.changed(this);
  }

  get state(): IcwState {
    return this.#state;
  }

  /** Takes the user's action; a refusal says why (wrong state, a target that cannot be called). */
  async act(action: IcwAction, by: string): Promise<IcwRefusal | undefined> {
    if (this.#state !== "ringing" && this.#state !== "recording")
      return { field: "callId", message: `the call is ${this.#state}` };
    if (action.action === "takeover") return this.#takeover(action, by);
    if (this.#chosen) return { field: "action", message: "the call was already answered" };
    this.#choose(action, by);
    return undefined;
  }

  /** The leg the deposit records from: a takeover ends it early. Call once, after answering. */
  attach(leg: CallLeg, toCaller: (pcm: Int16Array) => void): CallLeg {
    const view = interruptible(leg);
    this.#caller = { leg, toCaller, interrupt: view.interrupt };
    return view.leg;
  }

  /** The deposit began recording: offer the live screening. */
  recording(): void {
    if (this.#state !== "ringing" || !this.#caller) return;
    this.screen.start(this.#caller.leg);
    this.#enter("recording");
  }

  /** The deposit is over; true when it was taken over (resolves once that relay has ended). */
  async afterRecording(): Promise<boolean> {
    this.#recordingOver = true;
    this.screen.close();
    if (!this.#relayed) return false;
    await this.#relayed;
    return true;
  }

  #enter(state: IcwState): void {
    this.#state = state;
    this.init.hooks.changed(this);
  }

  #choose(action: Exclude<IcwAction, { action: "takeover" }>, by: string): void {
    if (this.#chosen) return;
    this.#chosen = true;
    clearTimeout(this.#timer);
    if (action.action === "reply") {
      void this.#speak(action, by);
      return;
    }
    this.init.hooks.decided(this, action, by, []);
    if (action.action === "forward") this.#enter("forwarded");
    this.#resolve(action);
  }

  async #speak(action: { action: "reply"; text: string }, by: string): Promise<void> {
    try {
      const speech = await this.init.media.speak(action.text);
      this.init.hooks.decided(this, action, by, []);
      this.#resolve({ ...action, speech });
    } catch (err) {
      // The caller still reaches voicemail; the user learns the reply was not spoken.
      this.init.logger.warn({ err, callId: this.id }, "icw: the reply could not be spoken");
      const why = err instanceof Error ? err.message : String(err);
      this.init.hooks.decided(this, action, by, [`the reply could not be spoken: ${why}`]);
      this.#resolve(action);
    }
  }

  async #takeover(
    action: { action: "takeover"; to: string },
    by: string,
  ): Promise<IcwRefusal | undefined> {
    if (this.#state !== "recording" || this.#recordingOver)
      return { field: "action", message: "a call can be taken over only while it is recorded" };
    if (this.#dialling) return { field: "action", message: "a takeover is already being placed" };
    const refused = this.init.media.check(action.to);
    if (refused) return refused;
    this.#dialling = true;
    let other: OutboundLeg;
    try {
      other = await this.init.media.dial(action.to, this.party);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { field: "to", message: `the call to ${action.to} was not answered (${why})` };
    } finally {
      this.#dialling = false;
    }
    const caller = this.#caller;
    if (!caller || this.#recordingOver || this.#state !== "recording") {
      await other.hangup();
      return { field: "action", message: "the caller left before the takeover was answered" };
    }
    this.screen.close();
    caller.interrupt();
    this.#relayed = relay(caller.leg, caller.toCaller, other).catch((err: unknown) =>
      this.init.logger.warn({ err, callId: this.id }, "icw: relay failed"),
    );
    this.init.hooks.decided(this, action, by, []);
    this.#enter("taken-over");
    return undefined;
  }
}

/** The calls under ICW now, by call id: the clients' actions and the screening find them. */
export class IcwCalls implements CallActions {
  readonly #calls = new Map<string, IcwCall>();

  open(init: IcwCallInit): IcwCall {
    const call = new IcwCall(init);
    this.#calls.set(call.id, call);
    void call.finished.finally(() => this.#calls.delete(call.id));
    return call;
  }

  /** The call, when it is still under way and belongs to `userId`. */
  get(callId: string, userId?: string): IcwCall | undefined {
    const call = this.#calls.get(callId);
    return call && (userId === undefined || call.userId === userId) ? call : undefined;
  }

  async act(client: ClientRef, callId: string, action: IcwAction): Promise<IcwRefusal | undefined> {
    const call = this.get(callId, client.userId);
    if (!call) return { field: "callId", message: `no call "${callId}" is waiting` };
    return call.act(action, client.clientId);
  }

  get size(): number {
    return this.#calls.size;
  }
}

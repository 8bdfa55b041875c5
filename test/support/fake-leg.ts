// A CallLeg driven by a test script: the test feeds caller frames and digits and hangs up; what
// the application plays is recorded. Used by the voice application tests (no sockets needed).

import type { CallEnd, CallLeg, CallParty } from "../../src/core/telephony.ts";
import { until } from "./until.ts";

export class FakeLeg implements CallLeg {
  readonly id = "fake-call";
  readonly played: Int16Array[] = [];
  readonly #frames = new Set<(pcm: Int16Array, idle: boolean) => void>();
  readonly #digits = new Set<(d: string) => void>();
  readonly #beforeAck: Array<() => Promise<void>> = [];
  #end!: (why: CallEnd) => void;
  readonly ended: Promise<CallEnd>;
  /** Called on each play(); lets a test act at a given point of the dialogue. */
  onPlay: (index: number, samples: Int16Array) => void = () => {};
  byeAcknowledged = false;

  constructor(readonly party: CallParty = { ani: "+15551234", dnis: "+15550001" }) {
    this.ended = new Promise((resolve) => {
      this.#end = resolve;
    });
  }

  async play(samples: Int16Array, opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (opts.signal?.aborted) return;
    this.played.push(samples);
    this.onPlay(this.played.length - 1, samples);
    await new Promise((r) => setImmediate(r));
  }

  onFrame(listener: (pcm: Int16Array, idle: boolean) => void): () => void {
    this.#frames.add(listener);
    return () => this.#frames.delete(listener);
  }

  onDigit(listener: (d: string) => void): () => void {
    this.#digits.add(listener);
    return () => this.#digits.delete(listener);
  }

  beforeHangupAck(task: () => Promise<void>): void {
    this.#beforeAck.push(task);
  }

  async hangup(): Promise<void> {
    this.#end("local-hangup");
  }

  // ---- driven by the test ----

  /** Resolves once the application listens to caller audio (recording has started). */
  async recording(timeoutMs = 5000): Promise<void> {
    await until("the application to listen to the caller", () => this.#frames.size > 0, {
      timeoutMs,
      intervalMs: 1,
    });
  }

  /** One frame of caller audio; `idle` for silence standing in for missing packets. */
  frame(pcm: Int16Array, idle = false): void {
    for (const l of [...this.#frames]) l(pcm, idle);
  }

  digit(d: string): void {
    for (const l of [...this.#digits]) l(d);
  }

  /** The caller hangs up: pending work runs before the BYE is acknowledged, as over SIP. */
  async remoteHangup(): Promise<void> {
    await Promise.all(this.#beforeAck.map((t) => t()));
    this.byeAcknowledged = true;
    this.#end("remote-hangup");
  }
}

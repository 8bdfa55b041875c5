// An answered outbound call with its audio (RFC 3261 §13.2 INVITE, RFC 3264 offer/answer): the
// one set-up shared by play-on-phone deliveries, ICW takeovers and live legacy deposits.

import type { FrameListener } from "../../protocols/rtp/jitter.ts";
import type { RtpPortPool } from "../../protocols/rtp/port-pool.ts";
import { RtpSession } from "../../protocols/rtp/session.ts";
import { SrtpSession } from "../../protocols/rtp/srtp.ts";
import {
  createOffer,
  formatSdp,
  type LocalAudio,
  parseAnswer,
  parseSdp,
} from "../../protocols/sdp/index.ts";
import type { DialogRegistry } from "../../protocols/sip/dialog/registry.ts";
import type { Destination, SipEndpoint } from "../../protocols/sip/endpoint.ts";
import { type ForkBranch, type ForkControl, forkCall } from "../../protocols/sip/usage/fork.ts";
import {
  CallFailedError,
  type InviteClientSession,
} from "../../protocols/sip/usage/invite-client.ts";

export interface DialContext {
  endpoint: SipEndpoint;
  dialogs: DialogRegistry;
  ports: RtpPortPool;
  /** Our Contact for a call over `dest` to `uri` (SipEndpoint.contactFor: transport and port). */
  localContact(dest: Destination, uri: string): string;
  localAudio(port: number): LocalAudio;
}

export interface OutboundCallOptions {
  uri: string;
  dest: Destination;
  /** A preloaded route set, e.g. the Path of the phone's registration (RFC 3327 §5.3). */
  routes?: readonly string[];
  from: { uri: string; displayName?: string };
  answerTimeoutMs?: number;
  /** Further bindings rung at the same time as `uri` (parallel forking, usage/fork.ts). */
  forks?: ForkBranch[];
  credentials?: { username: string; password: string };
  /** Extra INVITE headers, e.g. Diversion (RFC 5806) for a deposit into a legacy box. */
  headers?: Array<[string, string]>;
  /** Receives what the callee sends. */
  onFrame?: FrameListener;
  /** Part of a wider fork (a cluster's phones on several nodes): called off, or admitted. */
  fork?: ForkControl;
}

export interface OpenCall {
  session: InviteClientSession;
  rtp: RtpSession;
  /** The RFC 4733 payload type, when the answer kept telephone-event. */
  telephoneEventPt?: number;
}

/**
 * Places the call and opens its RTP on a leased port; rejects with CallFailedError when it is not
 * answered or the answer's SDP is unusable (the call is then hung up and the port given back).
 */
export async function openCall(ctx: DialContext, opts: OutboundCallOptions): Promise<OpenCall> {
  const lease = await ctx.ports.allocate();
  const offer = createOffer(ctx.localAudio(lease.port));
  let session: InviteClientSession;
  try {
    // One offer for every branch: only the winner's answer is used (RFC 3264 §8 as forked).
    const first = {
      uri: opts.uri,
      dest: opts.dest,
      ...(opts.routes?.length ? { routes: opts.routes } : {}),
    };
    // Each branch names the transport and port it goes out on in its own Contact.
    const branches = [first, ...(opts.forks ?? [])].map((b) => ({
      ...b,
      localContact: ctx.localContact(b.dest, b.uri),
    }));
    session = await forkCall(
      {
        endpoint: ctx.endpoint,
        dialogs: ctx.dialogs,
        from: opts.from,
        localContact: branches[0]!.localContact,
        offer: Buffer.from(formatSdp(offer)),
        answerTimeoutMs: opts.answerTimeoutMs ?? 30_000,
        ...(opts.credentials ? { credentials: opts.credentials } : {}),
        ...(opts.headers ? { headers: opts.headers } : {}),
      },
      branches,
      opts.fork,
    );
  } catch (err) {
    lease.release();
    throw err;
  }
  const answer = parseSdp(session.answer);
  const media = answer.ok ? parseAnswer(answer.value, offer) : answer;
  if (!media.ok) {
    lease.release();
    await session.hangup();
    throw new CallFailedError(488, `unusable SDP answer: ${media.error}`);
  }
  const { telephoneEventPt } = media.value;
  const rtp = new RtpSession({
    socket: lease.socket,
    remote: { address: media.value.remote.address, port: media.value.remote.port },
    payloadType: media.value.payloadType,
    ...(telephoneEventPt !== undefined ? { telephoneEventPt } : {}),
    ...(opts.onFrame ? { onFrame: opts.onFrame } : {}),
    ...(media.value.srtp ? { srtp: new SrtpSession(media.value.srtp) } : {}),
  });
  return { session, rtp, ...(telephoneEventPt !== undefined ? { telephoneEventPt } : {}) };
}

// Internet call waiting: the alert for a call arriving now, the user's choice before
// `decideBy` (voicemail, forward, reply with text), live screening of the recording, take-over.

import type { VNode } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Api } from "../api.ts";
import type { CallAlert, CallState } from "../schemas.ts";
import { LiveScreening } from "../screening.ts";
import type { UpFrame } from "../stream.ts";
import { caller, html, telUri } from "../ui.ts";

export interface Call {
  alert: CallAlert;
  state: CallState;
  screenUrl?: string | undefined;
  /** What the user asked for, shown until the server's call-update answers it. */
  requested?: string | undefined;
}

const STATE_TEXT: Record<CallState, string> = {
  ringing: "Ringing",
  recording: "Leaving a message",
  forwarded: "Forwarded",
  "taken-over": "Taken over",
  ended: "Ended",
};

function useSecondsLeft(decideBy: string | undefined): number | undefined {
  const end = decideBy ? Date.parse(decideBy) : Number.NaN;
  const left = () => Math.max(0, Math.ceil((end - Date.now()) / 1000));
  const [seconds, setSeconds] = useState(Number.isNaN(end) ? undefined : left());
  useEffect(() => {
    if (Number.isNaN(end)) return;
    const timer = setInterval(() => setSeconds(left()), 250);
    return () => clearInterval(timer);
  }, [end]);
  return seconds;
}

function NumberAction(p: {
  id: string;
  label: string;
  button: string;
  onSubmit: (to: string) => void;
}): VNode {
  const [value, setValue] = useState("");
  return html`<form
    class="inline"
    onSubmit=${(e: Event) => {
      e.preventDefault();
      if (value.trim()) p.onSubmit(telUri(value));
    }}
  >
    <label for=${p.id}>${p.label}</label>
    <input id=${p.id} type="tel" autocomplete="tel" required value=${value}
      onInput=${(e: Event) => setValue((e.currentTarget as HTMLInputElement).value)} />
    <button type="submit">${p.button}</button>
  </form>`;
}

/** Plays the recording while it is made, with the caller's voice level beside the player. */
function ScreeningPlayer(p: {
  url: string;
  token: string;
  who: string;
  onStop: () => void;
}): VNode {
  const audio = useRef<HTMLAudioElement>(null);
  const [level, setLevel] = useState(0);
  const [receivedMs, setReceivedMs] = useState(0);
  const [status, setStatus] = useState("connecting…");
  useEffect(() => {
    const screening = new LiveScreening(p.url, p.token);
    const element = audio.current;
    if (element) {
      element.srcObject = screening.stream;
      element.play().catch(() => setStatus("press play to listen"));
    }
    setStatus("live");
    screening.run().then(
      () => setStatus("the message has ended"),
      (err: unknown) => {
        if (err instanceof Error && err.name !== "AbortError") setStatus(err.message);
      },
    );
    const meter = setInterval(() => {
      setLevel(screening.level());
      setReceivedMs(Math.round(screening.received * 1000));
    }, 200);
    return () => {
      clearInterval(meter);
      screening.stop();
    };
  }, [p.url, p.token]);
  return html`<div class="screening">
    <audio ref=${audio} controls aria-label=${`Live message from ${p.who}`} data-testid="screening"
      data-received-ms=${receivedMs}></audio>
    <div class="row">
      <meter min="0" max="1" value=${level} aria-label="Caller's voice level"></meter>
      <span class="status" role="status">${status}</span>
      <button type="button" onClick=${p.onStop}>Stop listening</button>
    </div>
  </div>`;
}

function CallCard(p: {
  call: Call;
  api: Api;
  act: (callId: string, frame: UpFrame, requested: string) => void;
  onDismiss: (callId: string) => void;
}): VNode {
  const { alert, state } = p.call;
  const id = alert.callId;
  const seconds = useSecondsLeft(alert.decideBy);
  const [reply, setReply] = useState("");
  const [listening, setListening] = useState(false);
  const deciding = state === "ringing";
  const who = caller(alert.from.ani, alert.from.name);
  const headingId = `call-${id}-title`;

  return html`<section class="card call" aria-labelledby=${headingId} data-testid="call-alert">
    <h2 id=${headingId}>Incoming call from <span class="call-from">${who}</span></h2>
    <p class="muted">
      to ${alert.dnis} · <span class="call-state" role="status">${STATE_TEXT[state]}</span>
      ${deciding && seconds !== undefined ? html` · <span class="countdown" aria-hidden="true">voicemail in ${seconds} s</span>` : null}
      ${p.call.requested ? html` · ${p.call.requested}` : null}
    </p>
    ${
      deciding
        ? html`<div class="call-actions">
            <button type="button" class="primary"
              onClick=${() => p.act(id, { type: "call-action", callId: id, action: "voicemail" }, "sending to voicemail…")}>
              Send to voicemail
            </button>
            <${NumberAction} id=${`call-${id}-forward`} label="Forward to number" button="Forward"
              onSubmit=${(to: string) => p.act(id, { type: "call-action", callId: id, action: "forward", to }, `forwarding to ${to}…`)} />
            <form class="inline"
              onSubmit=${(e: Event) => {
                e.preventDefault();
                if (reply.trim())
                  p.act(
                    id,
                    { type: "call-action", callId: id, action: "reply", text: reply.trim() },
                    "replying…",
                  );
              }}>
              <label for=${`call-${id}-reply`}>Reply text (spoken to the caller)</label>
              <input id=${`call-${id}-reply`} required value=${reply}
                onInput=${(e: Event) => setReply((e.currentTarget as HTMLInputElement).value)} />
              <button type="submit">Reply with text</button>
            </form>
          </div>`
        : null
    }
    ${
      state === "recording"
        ? html`<div class="call-actions">
            ${
              p.call.screenUrl
                ? listening
                  ? html`<${ScreeningPlayer} url=${p.call.screenUrl} token=${p.api.token} who=${who}
                      onStop=${() => setListening(false)} />`
                  : html`<button type="button" class="primary" onClick=${() => setListening(true)}>
                      Listen live
                    </button>`
                : null
            }
            <${NumberAction} id=${`call-${id}-takeover`} label="Take the call at number" button="Take over"
              onSubmit=${(to: string) => p.act(id, { type: "call-action", callId: id, action: "takeover", to }, `taking over at ${to}…`)} />
          </div>`
        : null
    }
    ${
      state === "ended" || state === "forwarded" || state === "taken-over"
        ? html`<button type="button" onClick=${() => p.onDismiss(id)}>Dismiss</button>`
        : null
    }
  </section>`;
}

export function CallAlerts(p: {
  calls: Call[];
  api: Api;
  act: (callId: string, frame: UpFrame, requested: string) => void;
  onDismiss: (callId: string) => void;
}): VNode | null {
  if (p.calls.length === 0) return null;
  // Only a new call is announced; the countdown ticking every second would drown everything.
  return html`<div class="calls" aria-live="assertive" aria-relevant="additions">
    ${p.calls.map(
      (call) => html`<${CallCard} key=${call.alert.callId} call=${call} api=${p.api}
        act=${p.act} onDismiss=${p.onDismiss} />`,
    )}
  </div>`;
}

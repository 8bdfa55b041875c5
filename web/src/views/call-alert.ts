// Internet call waiting (issue 7 §1): the alert for a call arriving now, the user's choice before
// `decideBy` (voicemail, forward, reply with text), live screening of the recording, take-over.

import type { VNode } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Api } from "../api.ts";
import type { CallAlert, CallState } from "../schemas.ts";
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
      ${deciding && seconds !== undefined ? html` · <span class="countdown">voicemail in ${seconds} s</span>` : null}
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
                  ? html`<audio controls autoplay src=${p.api.withToken(p.call.screenUrl)}
                      aria-label=${`Live message from ${who}`} data-testid="screening"></audio>`
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
  return html`<div class="calls" aria-live="assertive">
    ${p.calls.map(
      (call) => html`<${CallCard} key=${call.alert.callId} call=${call} api=${p.api}
        act=${p.act} onDismiss=${p.onDismiss} />`,
    )}
  </div>`;
}

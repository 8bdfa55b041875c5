// The logged-in client: owns the stream and the state every screen shares (voicemail, MWI,
// messages, calls), and routes stream events (README "The outside contract") to them. Screens only
// render.

import type { VNode } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { Api, ApiError, type Session } from "../api.ts";
import { historyMessages, mergeMessages } from "../history.ts";
import {
  callAlertSchema,
  callUpdateSchema,
  type MessageEvent,
  type MwiStatus,
  messageEventSchema,
  mwiEventSchema,
  type Reply,
  type Voicemail,
} from "../schemas.ts";
import { EventStream, type StreamState, type UpFrame } from "../stream.ts";
import { html } from "../ui.ts";
import { type Call, CallAlerts } from "./call-alert.ts";
import { Header, type Screen } from "./header.ts";
import { MessagesView } from "./messages.ts";
import { ProfileView } from "./profile.ts";
import { VoicemailView } from "./voicemail.ts";

const MAX_MESSAGES = 200;

export function MainView(p: {
  session: Session;
  /** With the session's token when a request was refused (401); without it, the user's choice. */
  onLogout: (token?: string) => void;
  /** A new session for the same user (after a password change ends the old one). */
  onSession: (s: Session) => void;
}): VNode {
  const api = useMemo(
    () => new Api(p.session.token, p.session.userId, () => p.onLogout(p.session.token)),
    [p.session],
  );
  const [screen, setScreen] = useState<Screen>("voicemail");
  const [conn, setConn] = useState<{ state: StreamState; retryInMs?: number }>({
    state: "connecting",
  });
  const [messages, setMessages] = useState<MessageEvent[]>([]);
  const [reply, setReply] = useState<Reply | undefined>();
  const [mwi, setMwi] = useState<MwiStatus | undefined>();
  const [voicemail, setVoicemail] = useState<Voicemail[] | undefined>();
  const [vmError, setVmError] = useState<string | undefined>();
  const [calls, setCalls] = useState<Call[]>([]);
  const stream = useRef<EventStream | undefined>(undefined);
  // Stream events outrank a GET that was answered after them: the GET result is older.
  const mwiEvents = useRef(0);
  const mwiVersion = useRef(-1);

  const loadVoicemail = useCallback(() => {
    api.voicemail().then(
      (items) => {
        setVoicemail(items);
        setVmError(undefined);
      },
      (err: unknown) => setVmError(err instanceof ApiError ? err.reason : "voicemail not loaded"),
    );
  }, [api]);

  const loadMwi = useCallback(() => {
    const seen = mwiEvents.current;
    api.mwi().then(
      (status) => {
        if (mwiEvents.current === seen) setMwi(status);
      },
      // Not fatal: the stream's next `mwi` event fills the panel.
      () => undefined,
    );
  }, [api]);

  const onEvent = useCallback(
    (event: { id: string; type: string }) => {
      if (event.type === "message") {
        const m = messageEventSchema.safeParse(event);
        if (!m.success) return;
        // Sent again after a reconnect, or already listed from the history: shown once.
        setMessages((all) =>
          [m.data, ...all.filter((x) => x.communicationId !== m.data.communicationId)].slice(
            0,
            MAX_MESSAGES,
          ),
        );
        if (m.data.audioUrl) loadVoicemail();
      } else if (event.type === "mwi") {
        const m = mwiEventSchema.safeParse(event);
        if (!m.success) return;
        const version = m.data.version;
        if (version !== undefined) {
          // Deliveries may overtake each other after a reconnect: keep the newest state.
          if (version < mwiVersion.current) return;
          mwiVersion.current = version;
        }
        mwiEvents.current += 1;
        setMwi(m.data);
        // The counts changed, so the box did: a deposit, or a change made on another device.
        loadVoicemail();
      } else if (event.type === "call-alert") {
        const a = callAlertSchema.safeParse(event);
        if (!a.success) return;
        setCalls((all) => [
          ...all.filter((c) => c.alert.callId !== a.data.callId),
          { alert: a.data, state: "ringing" },
        ]);
      } else if (event.type === "call-update") {
        const u = callUpdateSchema.safeParse(event);
        if (!u.success) return;
        setCalls((all) =>
          all.map((c) =>
            c.alert.callId === u.data.callId
              ? {
                  ...c,
                  state: u.data.state,
                  screenUrl: u.data.screenUrl ?? c.screenUrl,
                  requested: undefined,
                }
              : c,
          ),
        );
      }
    },
    [loadVoicemail],
  );

  // What arrived before this page was opened (the stream sends each message only once).
  useEffect(() => {
    api.communications().then(
      (list) =>
        setMessages((shown) =>
          mergeMessages(shown, historyMessages(list, api.userId)).slice(0, MAX_MESSAGES),
        ),
      // Not fatal: new messages still arrive on the stream.
      () => undefined,
    );
  }, [api]);

  useEffect(() => {
    const s = new EventStream(api.token, {
      onEvent,
      onReply: (r) => {
        if (r.type === "error" && r.callId !== undefined) {
          const { callId, message } = r;
          setCalls((all) =>
            all.map((c) => (c.alert.callId === callId ? { ...c, requested: message } : c)),
          );
        } else setReply(r);
      },
      onState: (state, retryInMs) => {
        setConn({ state, retryInMs });
        // Whatever changed while we were away: a restarted server may also count versions anew.
        if (state === "open") {
          mwiVersion.current = -1;
          loadMwi();
          loadVoicemail();
        }
      },
      sessionGone: () =>
        api.check().then(
          () => false,
          (err: unknown) => err instanceof ApiError && err.status === 401,
        ),
    });
    stream.current = s;
    s.start();
    return () => s.stop();
  }, [api, onEvent, loadMwi, loadVoicemail]);

  const send = useCallback((frame: UpFrame) => stream.current?.send(frame) ?? false, []);
  const act = useCallback((callId: string, frame: UpFrame, requested: string) => {
    const ok = stream.current?.send(frame) ?? false;
    setCalls((all) =>
      all.map((c) =>
        c.alert.callId === callId
          ? { ...c, requested: ok ? requested : "not connected: not sent" }
          : c,
      ),
    );
  }, []);
  const dismiss = useCallback(
    (callId: string) => setCalls((all) => all.filter((c) => c.alert.callId !== callId)),
    [],
  );
  const refreshVoicemail = useCallback(() => {
    loadVoicemail();
    loadMwi();
  }, [loadVoicemail, loadMwi]);

  return html`<div class="app">
    <${Header} userId=${p.session.userId} mwi=${mwi} stream=${conn} screen=${screen}
      onScreen=${setScreen} onLogout=${() => p.onLogout()} />
    <${CallAlerts} calls=${calls} api=${api} act=${act} onDismiss=${dismiss} />
    <main id="main">
      ${screen === "voicemail" ? html`<${VoicemailView} api=${api} items=${voicemail} error=${vmError} mwi=${mwi} onChanged=${refreshVoicemail} />` : null}
      ${screen === "messages" ? html`<${MessagesView} messages=${messages} send=${send} reply=${reply} />` : null}
      ${
        screen === "profile"
          ? html`<${ProfileView} api=${api} mwi=${mwi} onMwiChanged=${loadMwi}
          onSession=${p.onSession} />`
          : null
      }
    </main>
  </div>`;
}

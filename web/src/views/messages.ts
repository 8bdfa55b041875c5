// Messages from the stream (README "The outside contract" `message` events, acknowledged by
// stream.ts), newest first, and the send form: text to an email address, a phone number (spoken by
// TTS) or an XMPP address; the reply frame with the same requestId says sent or why not, beside the
// field it names.

import type { VNode } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { MessageEvent, Reply } from "../schemas.ts";
import type { UpFrame } from "../stream.ts";
import { type FieldErrors, html, SelectField, TextField, telUri, time } from "../ui.ts";

type Kind = "email" | "phone" | "xmpp";
const KINDS = [
  { value: "email", label: "Email address" },
  { value: "phone", label: "Phone number" },
  { value: "xmpp", label: "XMPP address" },
] as const;
const PLACEHOLDER: Record<Kind, string> = {
  email: "bob@example.net",
  phone: "+15550100",
  xmpp: "bob@chat.example.net",
};

function uriOf(kind: Kind, address: string): string {
  const a = address.trim();
  if (kind === "phone") return telUri(a);
  const scheme = kind === "email" ? "mailto:" : "xmpp:";
  return a.startsWith(scheme) ? a : `${scheme}${a}`;
}

export function SendForm(p: {
  send: (frame: UpFrame) => boolean;
  reply: Reply | undefined;
}): VNode {
  const [kind, setKind] = useState<Kind>("email");
  const [to, setTo] = useState("");
  const [subject, setSubject] = useState("");
  const [text, setText] = useState("");
  const [pending, setPending] = useState<string | undefined>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState("");

  useEffect(() => {
    const r = p.reply;
    if (!r || !pending || r.requestId !== pending) return;
    setPending(undefined);
    if (r.type === "sent") {
      setStatus("Sent.");
      setTo("");
      setSubject("");
      setText("");
      return;
    }
    // The server names `to` or `text`; anything else is about the message as a whole.
    const field =
      r.field === "to" || r.field === "text" || r.field === "subject" ? r.field : "send";
    const prefix = `${r.field}: `;
    setErrors({
      [field]: r.message.startsWith(prefix) ? r.message.slice(prefix.length) : r.message,
    });
    setStatus("");
  }, [p.reply, pending]);

  const submit = (e: Event) => {
    e.preventDefault();
    setErrors({});
    const requestId = crypto.randomUUID();
    const frame: UpFrame = { type: "send", to: uriOf(kind, to), text, requestId };
    if (kind === "email" && subject.trim()) frame.subject = subject.trim();
    if (!p.send(frame)) {
      setErrors({ send: "Not connected: the message was not sent. Try again when connected." });
      return;
    }
    setPending(requestId);
    setStatus("Sending…");
  };

  return html`<form class="card send" onSubmit=${submit} aria-labelledby="send-title">
    <h2 id="send-title">Send a message</h2>
    <${SelectField}
      path="kind"
      label="Send to"
      value=${kind}
      options=${KINDS}
      onChange=${(v: string) => setKind(v as Kind)}
    />
    <${TextField}
      path="to"
      label=${KINDS.find((k) => k.value === kind)?.label ?? "Address"}
      value=${to}
      onInput=${setTo}
      type=${kind === "phone" ? "tel" : kind === "email" ? "email" : "text"}
      placeholder=${PLACEHOLDER[kind]}
      error=${errors.to}
      required
    />
    ${
      kind === "email"
        ? html`<${TextField}
            path="subject"
            label="Subject"
            value=${subject}
            onInput=${setSubject}
            error=${errors.subject}
          />`
        : null
    }
    <${TextField}
      path="text"
      label="Message"
      value=${text}
      onInput=${setText}
      multiline
      required
      error=${errors.text}
    />
    <div class="row">
      <button type="submit" class="primary" disabled=${pending !== undefined}>Send</button>
      <span class="status" role="status">${status}</span>
    </div>
    ${errors.send ? html`<p class="field-error" role="alert">${errors.send}</p>` : null}
  </form>`;
}

export function MessagesView(p: {
  messages: MessageEvent[];
  send: (frame: UpFrame) => boolean;
  reply: Reply | undefined;
}): VNode {
  return html`<div class="screen two-col">
    <section aria-labelledby="msg-title" class="col-main">
      <h2 id="msg-title">Messages</h2>
      ${
        p.messages.length === 0
          ? html`<p class="muted">No messages yet. New ones appear here as they arrive.</p>`
          : html`<ol class="list" aria-live="polite">
              ${p.messages.map(
                (m) => html`<li key=${m.id} class="card msg" data-testid="message">
                  <div class="msg-head">
                    <strong class="msg-from">${m.from}</strong>
                    <time class="muted" datetime=${m.receivedAt}>${time(m.receivedAt)}</time>
                  </div>
                  ${m.subject ? html`<p class="msg-subject">${m.subject}</p>` : null}
                  <p class="msg-text">${m.text}</p>
                  ${
                    m.audioUrl
                      ? html`<a href=${m.audioUrl} target="_blank" rel="noopener">Recording</a>`
                      : null
                  }
                </li>`,
              )}
            </ol>`
      }
    </section>
    <aside class="col-side"><${SendForm} send=${p.send} reply=${p.reply} /></aside>
  </div>`;
}

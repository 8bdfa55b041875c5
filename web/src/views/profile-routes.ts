// Profile editor, part three (docs/architecture.md "Systems and conversions" routing): which
// systems a communication from each kind goes to, and how (transcript, audio format, TTS voice and
// language). First match wins.

import type { VNode } from "preact";
import { useState } from "preact/hooks";
import {
  AUDIO_FORMATS,
  isSystemKind,
  isWebhookTarget,
  ROUTE_TARGETS,
  type Route,
  type RouteTarget,
  SYSTEM_KINDS,
} from "../schemas.ts";
import { CheckField, ErrorText, type FieldErrors, html, SelectField, TextField } from "../ui.ts";
import type { Edit } from "./profile-contacts.ts";

const FROM_OPTIONS = [
  { value: "*", label: "anything else" },
  ...SYSTEM_KINDS.map((k) => ({ value: k, label: k })),
];
const FORMAT_OPTIONS = [
  { value: "", label: "default" },
  ...AUDIO_FORMATS.map((f) => ({ value: f, label: f === "ogg" ? "Ogg Vorbis" : f.toUpperCase() })),
];
const isAudioFormat = (v: string): v is NonNullable<Route["audioFormat"]> =>
  (AUDIO_FORMATS as readonly string[]).includes(v);

function RouteFields(p: { r: Route; i: number; errors: FieldErrors; edit: Edit }): VNode {
  const { r, i } = p;
  const path = `routes.${i}`;
  const change = (mutate: (route: Route) => void) =>
    p.edit((d) => {
      const route = d.routes[i];
      if (route) mutate(route);
    });
  // An empty optional field is left out, not sent as "" (the server would refuse "").
  const optional = (key: "voice" | "language", value: string) =>
    change((route) => {
      if (value === "") delete route[key];
      else route[key] = value;
    });
  // Webhooks are the operator's (config `webhooks`): the page shows those a route names and
  // adds one by id; the server refuses an id it does not know, beside this field.
  // One unticked stays listed until the page is left, as the other targets do.
  const [hookId, setHookId] = useState("");
  const [shown, setShown] = useState<readonly RouteTarget[]>(() => r.to.filter(isWebhookTarget));
  const targets: RouteTarget[] = [
    ...new Set<RouteTarget>([...ROUTE_TARGETS, ...shown, ...r.to.filter(isWebhookTarget)]),
  ];
  const addHook = () => {
    const id = hookId.trim();
    if (id === "") return;
    const target = `webhook:${id}` as const;
    setShown((s) => [...s.filter((x) => x !== target), target]);
    change((route) => {
      route.to = [...route.to.filter((x) => x !== target), target];
    });
    setHookId("");
  };
  return html`<fieldset class="item-edit" id=${`f-${path}`}>
    <legend>Route ${i + 1}</legend>
    <${SelectField} path=${`${path}.from`} label="From" value=${r.from} options=${FROM_OPTIONS}
      error=${p.errors[`${path}.from`]}
      onChange=${(v: string) =>
        change((route) => {
          if (v === "*" || isSystemKind(v)) route.from = v;
        })} />
    <fieldset class="targets" id=${`f-${path}.to`}
      aria-describedby=${p.errors[`${path}.to`] ? `f-${path}.to-err` : undefined}>
      <legend>To</legend>
      ${targets.map(
        (t) => html`<label class="check-inline" key=${t}>
          <input type="checkbox" name=${`${path}.to`} value=${t} checked=${r.to.includes(t)}
            onChange=${(e: Event) => {
              const on = (e.currentTarget as HTMLInputElement).checked;
              change((route) => {
                route.to = on
                  ? [...route.to.filter((x) => x !== t), t]
                  : route.to.filter((x) => x !== t);
              });
            }} />
          ${t}
        </label>`,
      )}
    </fieldset>
    <${ErrorText} path=${`${path}.to`} error=${p.errors[`${path}.to`]} />
    <div class="row">
      <${TextField} path=${`${path}.webhook`} label="Webhook id" value=${hookId}
        placeholder="ops" hint="one of the operator's webhooks" onInput=${setHookId} />
      <button type="button" aria-label=${`Add webhook to route ${i + 1}`} onClick=${addHook}>
        Add webhook
      </button>
    </div>
    <${CheckField} path=${`${path}.transcribe`} label="Transcribe voice" checked=${r.transcribe ?? false}
      error=${p.errors[`${path}.transcribe`]}
      onChange=${(v: boolean) =>
        change((route) => {
          route.transcribe = v;
        })} />
    <${SelectField} path=${`${path}.audioFormat`} label="Audio format" value=${r.audioFormat ?? ""}
      options=${FORMAT_OPTIONS} error=${p.errors[`${path}.audioFormat`]}
      onChange=${(v: string) =>
        change((route) => {
          if (isAudioFormat(v)) route.audioFormat = v;
          else delete route.audioFormat;
        })} />
    <${TextField} path=${`${path}.voice`} label="TTS voice" value=${r.voice ?? ""}
      error=${p.errors[`${path}.voice`]} onInput=${(v: string) => optional("voice", v)} />
    <${TextField} path=${`${path}.language`} label="Language" value=${r.language ?? ""}
      placeholder="en-US" hint="BCP 47 tag, for speech in both directions"
      error=${p.errors[`${path}.language`]} onInput=${(v: string) => optional("language", v)} />
    <div class="row">
      <button type="button" aria-label=${`Move route ${i + 1} up`} disabled=${i === 0}
        onClick=${() =>
          p.edit((d) => {
            const [route] = d.routes.splice(i, 1);
            if (route) d.routes.splice(i - 1, 0, route);
          })}>Up</button>
      <button type="button" class="remove" aria-label=${`Remove route ${i + 1}`}
        onClick=${() => p.edit((d) => void d.routes.splice(i, 1))}>Remove</button>
    </div>
  </fieldset>`;
}

export function RoutesFields(p: { routes: Route[]; errors: FieldErrors; edit: Edit }): VNode {
  return html`<div class="group">
    <h3>Routes</h3>
    <p class="hint">
      The first route whose “from” matches decides; without one, the defaults apply (voice to
      email and IM, email to IM, IM to email).
    </p>
    ${p.routes.map(
      (r, i) => html`<${RouteFields} key=${i} r=${r} i=${i} errors=${p.errors} edit=${p.edit} />`,
    )}
    <button type="button" onClick=${() => p.edit((d) => void d.routes.push({ from: "*", to: ["email"] }))}>
      Add route
    </button>
  </div>`;
}

// Profile editor, part two (README "Message waiting", §4): the voicemail systems to watch, each
// with its MWI switch (PUT /users/:id/mwi/:systemId, applied at once), and the IM clients to
// notify.

import type { VNode } from "preact";
import type { ImClient, MwiStatus, VoicemailSystem } from "../schemas.ts";
import { type FieldErrors, html, SelectField, TextField } from "../ui.ts";
import type { Edit } from "./profile-contacts.ts";

const SYSTEM_KINDS = [
  { value: "internal", label: "omnivox voicemail" },
  { value: "sip", label: "SIP (MWI subscription)" },
  { value: "smdi", label: "SMDI station" },
];
const CLIENT_KINDS = [
  { value: "web", label: "Web client" },
  { value: "xmpp", label: "XMPP (Jabber)" },
];

function blankSystem(id: string, kind: string): VoicemailSystem {
  if (kind === "sip") return { id, kind, uri: "" };
  if (kind === "smdi") return { id, kind, link: "", station: "" };
  return { id, kind: "internal" };
}

function SystemFields(p: {
  s: VoicemailSystem;
  i: number;
  errors: FieldErrors;
  edit: Edit;
  mwi: { enabled: boolean } | undefined;
  onMwi: (systemId: string, enabled: boolean) => void;
}): VNode {
  const { s, i } = p;
  const path = `voicemailSystems.${i}`;
  const set = (key: string, value: string) =>
    p.edit((d) => {
      const target = d.voicemailSystems[i] as Record<string, unknown> | undefined;
      if (target) target[key] = value === "" && key === "depositUri" ? undefined : value;
    });
  const text = (key: string, label: string, value: string | undefined, hint?: string) =>
    html`<${TextField} path=${`${path}.${key}`} label=${label} value=${value ?? ""} hint=${hint}
      error=${p.errors[`${path}.${key}`]} onInput=${(v: string) => set(key, v)} />`;
  return html`<fieldset class="item-edit" id=${`f-${path}`}>
    <legend>Voicemail system ${i + 1}</legend>
    ${text("id", "Name", s.id)}
    <${SelectField} path=${`${path}.kind`} label="Kind" value=${s.kind} options=${SYSTEM_KINDS}
      error=${p.errors[`${path}.kind`]}
      onChange=${(kind: string) =>
        p.edit((d) => {
          d.voicemailSystems[i] = blankSystem(s.id, kind);
        })} />
    ${s.kind === "sip" ? text("uri", "MWI URI", s.uri, "sip:box@pbx.example.net") : null}
    ${s.kind === "smdi" ? text("link", "SMDI link", s.link) : null}
    ${s.kind === "smdi" ? text("station", "Station", s.station) : null}
    ${s.kind !== "internal" ? text("depositUri", "Deposit URI (optional)", s.depositUri) : null}
    ${
      p.mwi
        ? html`<div class="field check">
            <input type="checkbox" id=${`f-mwiEnabled.${s.id}`} checked=${p.mwi.enabled}
              aria-describedby=${p.errors[`mwiEnabled.${s.id}`] ? `f-mwiEnabled.${s.id}-err` : undefined}
              onChange=${(e: Event) => p.onMwi(s.id, (e.currentTarget as HTMLInputElement).checked)} />
            <label for=${`f-mwiEnabled.${s.id}`}>Message waiting from this system</label>
            ${
              p.errors[`mwiEnabled.${s.id}`]
                ? html`<p class="field-error" role="alert" id=${`f-mwiEnabled.${s.id}-err`}>
                    ${p.errors[`mwiEnabled.${s.id}`]}
                  </p>`
                : null
            }
          </div>`
        : html`<p class="hint">Save the profile to switch message waiting for this system.</p>`
    }
    <button type="button" class="remove" aria-label=${`Remove voicemail system ${i + 1}`}
      onClick=${() => p.edit((d) => void d.voicemailSystems.splice(i, 1))}>Remove</button>
  </fieldset>`;
}

function ClientFields(p: { c: ImClient; i: number; errors: FieldErrors; edit: Edit }): VNode {
  const { c, i } = p;
  const path = `imClients.${i}`;
  return html`<fieldset class="item-edit" id=${`f-${path}`}>
    <legend>IM client ${i + 1}</legend>
    <${TextField} path=${`${path}.id`} label="Name" value=${c.id} error=${p.errors[`${path}.id`]}
      onInput=${(v: string) =>
        p.edit((d) => {
          const target = d.imClients[i];
          if (target) target.id = v;
        })} />
    <${SelectField} path=${`${path}.kind`} label="Kind" value=${c.kind} options=${CLIENT_KINDS}
      error=${p.errors[`${path}.kind`]}
      onChange=${(kind: string) =>
        p.edit((d) => {
          d.imClients[i] =
            kind === "xmpp" ? { id: c.id, kind: "xmpp", jid: "" } : { id: c.id, kind: "web" };
        })} />
    ${
      c.kind === "xmpp"
        ? html`<${TextField} path=${`${path}.jid`} label="JID" value=${c.jid} error=${p.errors[`${path}.jid`]}
            placeholder="alice@chat.example.net"
            onInput=${(v: string) =>
              p.edit((d) => {
                const target = d.imClients[i];
                if (target?.kind === "xmpp") target.jid = v;
              })} />`
        : null
    }
    <button type="button" class="remove" aria-label=${`Remove IM client ${i + 1}`}
      onClick=${() => p.edit((d) => void d.imClients.splice(i, 1))}>Remove</button>
  </fieldset>`;
}

export function SystemsFields(p: {
  systems: VoicemailSystem[];
  clients: ImClient[];
  mwi: MwiStatus | undefined;
  errors: FieldErrors;
  edit: Edit;
  onMwi: (systemId: string, enabled: boolean) => void;
}): VNode {
  const next = (prefix: string, taken: Array<{ id: string }>) => {
    let n = taken.length + 1;
    while (taken.some((t) => t.id === `${prefix}${n}`)) n++;
    return `${prefix}${n}`;
  };
  return html`<div class="group">
    <h3>Voicemail systems</h3>
    ${p.systems.map(
      (s, i) => html`<${SystemFields} key=${i} s=${s} i=${i} errors=${p.errors} edit=${p.edit}
        mwi=${p.mwi?.systems.find((m) => m.id === s.id)} onMwi=${p.onMwi} />`,
    )}
    <button type="button" onClick=${() =>
      p.edit(
        (d) => void d.voicemailSystems.push(blankSystem(next("box", d.voicemailSystems), "sip")),
      )}>
      Add voicemail system
    </button>
    <h3>IM clients</h3>
    ${p.clients.map(
      (c, i) => html`<${ClientFields} key=${i} c=${c} i=${i} errors=${p.errors} edit=${p.edit} />`,
    )}
    <button type="button" onClick=${() =>
      p.edit(
        (d) => void d.imClients.push({ id: next("client", d.imClients), kind: "xmpp", jid: "" }),
      )}>
      Add IM client
    </button>
  </div>`;
}

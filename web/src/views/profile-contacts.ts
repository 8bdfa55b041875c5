// Profile editor, part one (README "The outside contract" profile): the display name and the
// numbers and addresses that reach the user, as lists whose rows the API names by index
// ("phones.1").

import type { VNode } from "preact";
import type { Profile } from "../schemas.ts";
import { type FieldErrors, html, TextField } from "../ui.ts";

/** Changes the editor's draft: the mutation runs on a copy, so Preact sees a new object. */
export type Edit = (mutate: (draft: Profile) => void) => void;

function StringList(p: {
  path: "phones" | "emails";
  noun: string;
  title: string;
  items: string[];
  errors: FieldErrors;
  edit: Edit;
  type: string;
  placeholder: string;
}): VNode {
  return html`<fieldset class="list-edit" id=${`f-${p.path}`}>
    <legend>${p.title}</legend>
    ${p.items.map(
      (value, i) => html`<div class="row item" key=${i}>
        <${TextField}
          path=${`${p.path}.${i}`}
          label=${`${p.noun[0]?.toUpperCase()}${p.noun.slice(1)} ${i + 1}`}
          value=${value}
          type=${p.type}
          placeholder=${p.placeholder}
          error=${p.errors[`${p.path}.${i}`]}
          onInput=${(v: string) =>
            p.edit((d) => {
              d[p.path][i] = v;
            })}
        />
        <button
          type="button"
          class="remove"
          aria-label=${`Remove ${p.noun} ${i + 1}`}
          onClick=${() => p.edit((d) => void d[p.path].splice(i, 1))}
        >
          Remove
        </button>
      </div>`,
    )}
    ${p.errors[p.path] ? html`<p class="field-error" role="alert">${p.errors[p.path]}</p>` : null}
    <button type="button" onClick=${() => p.edit((d) => void d[p.path].push(""))}>
      Add ${p.noun}
    </button>
  </fieldset>`;
}

export function ContactFields(p: { draft: Profile; errors: FieldErrors; edit: Edit }): VNode {
  return html`<div class="group">
    <${TextField}
      path="displayName"
      label="Display name"
      value=${p.draft.displayName}
      autocomplete="name"
      error=${p.errors.displayName}
      onInput=${(v: string) =>
        p.edit((d) => {
          d.displayName = v;
        })}
    />
    <${StringList}
      path="phones"
      noun="phone number"
      title="Phone numbers"
      items=${p.draft.phones}
      errors=${p.errors}
      edit=${p.edit}
      type="tel"
      placeholder="+15550100"
    />
    <${StringList}
      path="emails"
      noun="email address"
      title="Email addresses"
      items=${p.draft.emails}
      errors=${p.errors}
      edit=${p.edit}
      type="email"
      placeholder="alice@example.com"
    />
  </div>`;
}

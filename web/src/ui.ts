// The views' building blocks: htm bound to Preact's h (no JSX compile step), display formats,
// and labelled form controls whose API error (a dotted field path) appears beside them.

import htm from "htm";
import { h, type VNode } from "preact";
import type { ApiError } from "./api.ts";

/** Typed as one VNode: every template in web/src has a single root element. */
export const html = htm.bind(h) as (strings: TemplateStringsArray, ...values: unknown[]) => VNode;

export function duration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

export function time(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function caller(ani: string | null | undefined, name?: string): string {
  if (name && ani) return `${name} (${ani})`;
  return name ?? ani ?? "unknown caller";
}

/** A number as typed ("+1 555-0100") to a `tel:` URI; a `tel:` or `sip:` URI stays as it is. */
export function telUri(input: string): string {
  const trimmed = input.trim();
  if (/^(tel|sips?):/i.test(trimmed)) return trimmed;
  return `tel:${trimmed.replace(/[\s().-]/g, "")}`;
}

export type FieldErrors = Record<string, string>;

/** Element id of the control for a field path; dots are fine in ids (HTML §3.2.6.1). */
export const fieldId = (path: string): string => `f-${path}`;

/**
 * The errors to show for `err`: on the control of its field, or of the nearest enclosing field
 * the form renders ("routes.0.to.1" → "routes.0.to"), else under `formKey` for the whole form.
 */
export function placeError(err: ApiError, root: ParentNode | null, formKey: string): FieldErrors {
  const parts = err.field ? err.field.split(".") : [];
  for (let n = parts.length; n > 0; n--) {
    const path = parts.slice(0, n).join(".");
    if (root?.querySelector(`[id="${fieldId(path)}"]`)) return { [path]: err.reason };
  }
  return { [formKey]: err.field ? `${err.field}: ${err.reason}` : err.message };
}

const inputValue = (e: Event): string => (e.currentTarget as HTMLInputElement).value;

export function ErrorText(props: { path: string; error: string | undefined }): VNode | null {
  if (!props.error) return null;
  return html`<p class="field-error" id=${`${fieldId(props.path)}-err`} role="alert">
    ${props.error}
  </p>`;
}

interface ControlProps {
  path: string;
  label: string;
  error?: string | undefined;
  hint?: string;
}

function describedBy(p: ControlProps): string | undefined {
  const ids = [p.error ? `${fieldId(p.path)}-err` : "", p.hint ? `${fieldId(p.path)}-hint` : ""];
  const joined = ids.filter(Boolean).join(" ");
  return joined || undefined;
}

export function TextField(
  p: ControlProps & {
    value: string;
    onInput: (value: string) => void;
    type?: string;
    autocomplete?: string;
    inputmode?: string;
    placeholder?: string;
    required?: boolean;
    multiline?: boolean;
  },
): VNode {
  const id = fieldId(p.path);
  const common = {
    id,
    name: p.path,
    value: p.value,
    "aria-invalid": p.error ? "true" : undefined,
    "aria-describedby": describedBy(p),
    placeholder: p.placeholder,
    required: p.required,
    onInput: (e: Event) => p.onInput(inputValue(e)),
  };
  return html`<div class="field">
    <label for=${id}>${p.label}</label>
    ${
      p.multiline
        ? html`<textarea rows="3" ...${common}></textarea>`
        : html`<input
            type=${p.type ?? "text"}
            autocomplete=${p.autocomplete ?? "off"}
            inputmode=${p.inputmode}
            ...${common}
          />`
    }
    ${p.hint ? html`<p class="hint" id=${`${id}-hint`}>${p.hint}</p>` : null}
    <${ErrorText} path=${p.path} error=${p.error} />
  </div>`;
}

export function SelectField(
  p: ControlProps & {
    value: string;
    options: ReadonlyArray<{ value: string; label: string }>;
    onChange: (value: string) => void;
  },
): VNode {
  const id = fieldId(p.path);
  return html`<div class="field">
    <label for=${id}>${p.label}</label>
    <select
      id=${id}
      name=${p.path}
      aria-invalid=${p.error ? "true" : undefined}
      aria-describedby=${describedBy(p)}
      onChange=${(e: Event) => p.onChange(inputValue(e))}
    >
      ${p.options.map(
        (o) => html`<option value=${o.value} selected=${o.value === p.value}>${o.label}</option>`,
      )}
    </select>
    <${ErrorText} path=${p.path} error=${p.error} />
  </div>`;
}

export function CheckField(
  p: ControlProps & { checked: boolean; onChange: (checked: boolean) => void },
): VNode {
  const id = fieldId(p.path);
  return html`<div class="field check">
    <input
      type="checkbox"
      id=${id}
      name=${p.path}
      checked=${p.checked}
      aria-invalid=${p.error ? "true" : undefined}
      aria-describedby=${describedBy(p)}
      onChange=${(e: Event) => p.onChange((e.currentTarget as HTMLInputElement).checked)}
    />
    <label for=${id}>${p.label}</label>
    <${ErrorText} path=${p.path} error=${p.error} />
  </div>`;
}

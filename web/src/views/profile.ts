// The profile editor (README "The outside contract" GET/PATCH /users/:id): one draft, saved as a
// whole; the API's 400 names a field, and its message appears beside that field's control.

import type { VNode } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { type Api, ApiError, type Session } from "../api.ts";
import type { MwiStatus, Profile } from "../schemas.ts";
import { CheckField, ErrorText, type FieldErrors, html, placeError, TextField } from "../ui.ts";
import { ContactFields, type Edit } from "./profile-contacts.ts";
import { RoutesFields } from "./profile-routes.ts";
import { SecurityForm } from "./profile-security.ts";
import { SystemsFields } from "./profile-systems.ts";

/** The PATCH body: every editable field, with optional ones that are empty left out. */
function bodyOf(d: Profile): Omit<Profile, "id"> {
  const { id: _id, ...fields } = structuredClone(d);
  for (const s of fields.voicemailSystems)
    if (s.kind !== "internal" && !s.depositUri) delete s.depositUri;
  if (!fields.mwi.supplemental.text) delete fields.mwi.supplemental.text;
  return fields;
}

function MwiPrefs(p: { draft: Profile; errors: FieldErrors; edit: Edit }): VNode {
  const m = p.draft.mwi;
  return html`<div class="group" id="f-mwi">
    <h3>Message waiting indicators</h3>
    <${CheckField} path="mwi.enabled" label="Send indicators to my IM clients" checked=${m.enabled}
      error=${p.errors["mwi.enabled"]}
      onChange=${(v: boolean) =>
        p.edit((d) => {
          d.mwi.enabled = v;
        })} />
    <${CheckField} path="mwi.supplemental.timestamp" label="Include the time of the last message"
      checked=${m.supplemental.timestamp} error=${p.errors["mwi.supplemental.timestamp"]}
      onChange=${(v: boolean) =>
        p.edit((d) => {
          d.mwi.supplemental.timestamp = v;
        })} />
    <${TextField} path="mwi.supplemental.text" label="Supplemental text" value=${m.supplemental.text ?? ""}
      hint="Shown with every indicator (a notice, up to 500 characters)"
      error=${p.errors["mwi.supplemental.text"]}
      onInput=${(v: string) =>
        p.edit((d) => {
          d.mwi.supplemental.text = v;
        })} />
  </div>`;
}

export function ProfileView(p: {
  api: Api;
  mwi: MwiStatus | undefined;
  onMwiChanged: () => void;
  onSession: (s: Session) => void;
}): VNode {
  const [draft, setDraft] = useState<Profile | undefined>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    p.api.profile().then(setDraft, (err: unknown) =>
      setErrors({
        profile: err instanceof ApiError ? err.reason : "the profile could not be loaded",
      }),
    );
  }, [p.api]);

  const edit: Edit = (mutate) =>
    setDraft((d) => {
      if (!d) return d;
      const copy = structuredClone(d);
      mutate(copy);
      return copy;
    });

  const save = async (e: Event) => {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setErrors({});
    setStatus("Saving…");
    try {
      setDraft(await p.api.patchProfile(bodyOf(draft)));
      setStatus("Saved.");
      p.onMwiChanged();
    } catch (err) {
      setStatus("");
      setErrors(
        err instanceof ApiError
          ? placeError(err, form.current, "profile")
          : { profile: "saving failed" },
      );
    } finally {
      setBusy(false);
    }
  };

  // A switch shows its new position at once and keeps it until the server's state agrees (or
  // the change fails), so it never jumps back while the PUT and the reload are under way.
  const [pending, setPending] = useState<Record<string, boolean>>({});
  useEffect(() => {
    setPending((all) => {
      const left = Object.entries(all).filter(
        ([id, on]) => p.mwi?.systems.find((s) => s.id === id)?.enabled !== on,
      );
      return left.length === Object.keys(all).length ? all : Object.fromEntries(left);
    });
  }, [p.mwi]);
  const shownMwi: MwiStatus | undefined = p.mwi && {
    ...p.mwi,
    systems: p.mwi.systems.map((s) => {
      const on = pending[s.id];
      return on === undefined ? s : { ...s, enabled: on };
    }),
  };

  const setMwi = async (systemId: string, enabled: boolean) => {
    const key = `mwiEnabled.${systemId}`;
    setErrors(({ [key]: _gone, ...rest }) => rest);
    setPending((all) => ({ ...all, [systemId]: enabled }));
    try {
      await p.api.setMwiEnabled(systemId, enabled);
    } catch (err) {
      setPending(({ [systemId]: _undone, ...rest }) => rest);
      setErrors((all) => ({ ...all, [key]: err instanceof ApiError ? err.reason : "not changed" }));
    }
    p.onMwiChanged();
  };

  return html`<div class="screen two-col profile">
    <form class="card col-main" ref=${form} onSubmit=${save} aria-labelledby="profile-title" novalidate>
      <h2 id="profile-title">Profile</h2>
      ${
        draft
          ? html`<${ContactFields} draft=${draft} errors=${errors} edit=${edit} />
              <${SystemsFields} systems=${draft.voicemailSystems} clients=${draft.imClients} mwi=${shownMwi}
                errors=${errors} edit=${edit} onMwi=${setMwi} />
              <${MwiPrefs} draft=${draft} errors=${errors} edit=${edit} />
              <${RoutesFields} routes=${draft.routes} errors=${errors} edit=${edit} />
              <div class="row sticky-save">
                <button type="submit" class="primary" disabled=${busy}>Save profile</button>
                <span class="status" role="status">${status}</span>
              </div>`
          : html`<p class="muted">Loading…</p>`
      }
      <${ErrorText} path="profile" error=${errors.profile} />
    </form>
    <aside class="col-side"><${SecurityForm} api=${p.api} onSession=${p.onSession} /></aside>
  </div>`;
}

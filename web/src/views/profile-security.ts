// PIN (mailbox by phone) and password change (README "The outside contract" PATCH /users/:id `pin`,
// `password`): write-only fields, so the form starts empty and empties again after a change.

import type { VNode } from "preact";
import { useRef, useState } from "preact/hooks";
import { type Api, ApiError, login, type Session } from "../api.ts";
import { ErrorText, type FieldErrors, html, placeError, TextField } from "../ui.ts";

export function SecurityForm(p: { api: Api; onSession: (s: Session) => void }): VNode {
  const [pin, setPin] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState("");
  const form = useRef<HTMLFormElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setStatus("");
    if (password !== confirm) {
      setErrors({ confirm: "does not match the new password" });
      return;
    }
    const body: { pin?: string; password?: string } = {};
    if (pin) body.pin = pin;
    if (password) body.password = password;
    if (!body.pin && !body.password) {
      setErrors({ security: "Enter a new PIN or a new password." });
      return;
    }
    try {
      await p.api.patchProfile(body);
      // A new password ends every session opened with the old one, this one included: log in
      // again with it so the page carries on.
      if (body.password) {
        const token = await login(p.api.userId, body.password);
        p.onSession({ token, userId: p.api.userId });
        return;
      }
      setPin("");
      setPassword("");
      setConfirm("");
      setStatus(
        body.pin && body.password
          ? "PIN and password changed."
          : body.pin
            ? "PIN changed."
            : "Password changed.",
      );
    } catch (err) {
      if (err instanceof ApiError) setErrors(placeError(err, form.current, "security"));
      else setErrors({ security: "the change failed; try again" });
    }
  };

  return html`<form class="card" ref=${form} onSubmit=${submit} aria-labelledby="sec-title">
    <h2 id="sec-title">PIN and password</h2>
    <${TextField} path="pin" label="New PIN" value=${pin} onInput=${setPin} type="password"
      inputmode="numeric" autocomplete="off" hint="6–12 digits (the operator may set another minimum), for the mailbox by phone"
      error=${errors.pin} />
    <${TextField} path="password" label="New password" value=${password} onInput=${setPassword}
      type="password" autocomplete="new-password" hint="at least 8 characters" error=${errors.password} />
    <${TextField} path="confirm" label="Repeat new password" value=${confirm} onInput=${setConfirm}
      type="password" autocomplete="new-password" error=${errors.confirm} />
    <div class="row">
      <button type="submit" class="primary">Change</button>
      <span class="status" role="status">${status}</span>
    </div>
    <${ErrorText} path="security" error=${errors.security} />
  </form>`;
}

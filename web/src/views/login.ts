// The login screen: user id and password for a session token (POST /api/v1/session, README "The
// outside contract"). A refusal is shown under the form; the server gives one message for every
// kind of refusal.

import type { VNode } from "preact";
import { useState } from "preact/hooks";
import type { Session } from "../api.ts";
import { ApiError, login } from "../api.ts";
import { ErrorText, html, TextField } from "../ui.ts";

export function LoginView(props: { onLogin: (session: Session) => void }): VNode {
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const userId = user.trim();
      const token = await login(userId, password);
      props.onLogin({ token, userId });
    } catch (err) {
      setError(err instanceof ApiError ? err.reason : "login failed; try again");
      setBusy(false);
    }
  };

  return html`<main class="login">
    <h1>omnivox</h1>
    <form onSubmit=${submit} aria-labelledby="login-title" class="card">
      <h2 id="login-title">Log in</h2>
      <${TextField}
        path="user"
        label="User"
        value=${user}
        onInput=${setUser}
        autocomplete="username"
        required
      />
      <${TextField}
        path="password"
        label="Password"
        type="password"
        value=${password}
        onInput=${setPassword}
        autocomplete="current-password"
        required
      />
      <button type="submit" class="primary" disabled=${busy}>Log in</button>
      <${ErrorText} path="login" error=${error} />
    </form>
  </main>`;
}

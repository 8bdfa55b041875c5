// Entry point of the browser client: the login screen until there is a session, then
// the client itself. A 401 anywhere ends the session and returns here.

import { render } from "preact";
import { useCallback, useRef, useState } from "preact/hooks";
import { clearSession, loadSession, type Session, saveSession } from "./api.ts";
import { html } from "./ui.ts";
import { MainView } from "./views/app.ts";
import { LoginView } from "./views/login.ts";

function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const current = useRef(session);
  const onLogin = useCallback((s: Session) => {
    current.current = s;
    saveSession(s);
    setSession(s);
  }, []);
  // `token`: the session a 401 came from. A late 401 of a session already replaced (the old
  // token after a password change) must not end the new one.
  const onLogout = useCallback((token?: string) => {
    if (token !== undefined && current.current?.token !== token) return;
    current.current = undefined;
    clearSession();
    setSession(undefined);
  }, []);
  return session
    ? html`<${MainView} key=${session.token} session=${session} onLogout=${onLogout}
        onSession=${onLogin} />`
    : html`<${LoginView} onLogin=${onLogin} />`;
}

const root = document.getElementById("app");
if (root) render(html`<${App} />`, root);

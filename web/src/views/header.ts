// The bar on every screen: the combined message-waiting count (README "Message waiting"), whether
// the stream is connected, the screen tabs and log out. Fixed sizes, so live updates never move the
// page.

import type { VNode } from "preact";
import type { MwiStatus } from "../schemas.ts";
import type { StreamState } from "../stream.ts";
import { html } from "../ui.ts";

export type Screen = "voicemail" | "messages" | "profile";
const SCREENS: ReadonlyArray<{ id: Screen; label: string }> = [
  { id: "voicemail", label: "Voicemail" },
  { id: "messages", label: "Messages" },
  { id: "profile", label: "Profile" },
];

function connectionText(state: StreamState, retryInMs?: number): string {
  if (state === "open") return "connected";
  if (state === "connecting") return "connecting…";
  const s = Math.max(1, Math.round((retryInMs ?? 0) / 1000));
  return `offline, retrying in ${s} s`;
}

export function Header(p: {
  userId: string;
  mwi: MwiStatus | undefined;
  stream: { state: StreamState; retryInMs?: number | undefined };
  screen: Screen;
  onScreen: (s: Screen) => void;
  onLogout: () => void;
}): VNode {
  const total = p.mwi?.total;
  const waiting = (total?.new ?? 0) > 0;
  const label = total
    ? `${total.new} new, ${total.old} saved voicemail messages`
    : "message waiting not known yet";
  return html`<header class="top">
    <div class="brand">
      <strong>omnivox</strong>
      <span class="user">${p.userId}</span>
    </div>
    <div class=${`mwi-badge${waiting ? " waiting" : ""}`} role="status" aria-label=${label}>
      <span aria-hidden="true" class="lamp"></span>
      <span data-testid="mwi-new">${total ? total.new : "–"}</span>
      <span class="mwi-word" aria-hidden="true">new</span>
    </div>
    <p class=${`conn ${p.stream.state}`} role="status" data-testid="connection">
      ${connectionText(p.stream.state, p.stream.retryInMs)}
    </p>
    <button type="button" class="link" onClick=${p.onLogout}>Log out</button>
    <nav aria-label="Screens" class="tabs">
      ${SCREENS.map(
        (s) => html`<button
          type="button"
          aria-current=${p.screen === s.id ? "page" : undefined}
          onClick=${() => p.onScreen(s.id)}
        >
          ${s.label}
        </button>`,
      )}
    </nav>
  </header>`;
}

// Visual voicemail (README "The outside contract" voicemail resource): newest first with caller,
// time, duration and transcript; playing in the page from a blob of the recording, in the
// encoding the user's voicemail route asks for when the browser plays it; mark read and delete;
// beside it the combined message-waiting state (README "Message waiting") per system, live from
// `mwi` stream events.

import type { VNode } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type Api, ApiError } from "../api.ts";
import { playbackFormat } from "../playback.ts";
import type { MwiStatus, Voicemail } from "../schemas.ts";
import { caller, duration, html, time } from "../ui.ts";

const errorText = (err: unknown): string =>
  err instanceof ApiError ? err.reason : "something went wrong; try again";

function VoicemailItem(p: { api: Api; vm: Voicemail; onChanged: () => void }): VNode {
  const { vm } = p;
  const [src, setSrc] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  // Blob URLs hold the whole recording in memory until revoked.
  useEffect(() => () => (src ? URL.revokeObjectURL(src) : undefined), [src]);

  const act = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await what();
      p.onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const play = async () => {
    setError(undefined);
    try {
      const probe = document.createElement("audio");
      const format = playbackFormat(await p.api.profile(), (type) => probe.canPlayType(type));
      setSrc(URL.createObjectURL(await p.api.audio(vm.id, format)));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const who = caller(vm.from.ani);
  return html`<li class=${`vm card ${vm.state}`} data-testid="voicemail" data-id=${vm.id}>
    <div class="vm-head">
      <strong class="vm-caller">${who}</strong>
      ${vm.state === "new" ? html`<span class="tag new">new</span>` : null}
      ${vm.urgent ? html`<span class="tag urgent">urgent</span>` : null}
      <span class="vm-meta muted">
        <time datetime=${vm.receivedAt}>${time(vm.receivedAt)}</time>${" · "}<span
          aria-label="duration"
          >${duration(vm.durationMs)}</span
        >
      </span>
    </div>
    ${
      vm.transcript !== undefined
        ? html`<p class="transcript">${vm.transcript || html`<em class="muted">(no words recognised)</em>`}</p>`
        : null
    }
    <div class="vm-actions">
      ${
        src
          ? html`<audio controls autoplay src=${src} aria-label=${`Voicemail from ${who}`}></audio>`
          : html`<button type="button" onClick=${play} aria-label=${`Play voicemail from ${who}`}>
              Play
            </button>`
      }
      ${
        vm.state === "new"
          ? html`<button
              type="button"
              disabled=${busy}
              onClick=${() => act(() => p.api.markRead(vm.id))}
              aria-label=${`Mark voicemail from ${who} read`}
            >
              Mark read
            </button>`
          : null
      }
      <button
        type="button"
        class="danger"
        disabled=${busy}
        onClick=${() => act(() => p.api.deleteVoicemail(vm.id))}
        aria-label=${`Delete voicemail from ${who}`}
      >
        Delete
      </button>
    </div>
    ${error ? html`<p class="field-error" role="alert">${error}</p>` : null}
  </li>`;
}

export function MwiPanel(p: { mwi: MwiStatus | undefined }): VNode {
  const mwi = p.mwi;
  return html`<section class="card mwi" aria-labelledby="mwi-title">
    <h2 id="mwi-title">Message waiting</h2>
    ${
      mwi
        ? html`<p class="mwi-total" data-testid="mwi-total">
            <strong>${mwi.total.new}</strong> new${mwi.total.urgentNew ? ` (${mwi.total.urgentNew} urgent)` : ""},
            ${" "}<strong>${mwi.total.old}</strong> saved, across ${mwi.systems.length}
            ${mwi.systems.length === 1 ? " system" : " systems"}
          </p>`
        : html`<p class="mwi-total muted">Loading…</p>`
    }
    <ul class="systems">
      ${(mwi?.systems ?? []).map(
        (s) => html`<li key=${s.id} class=${s.enabled ? "" : "off"}>
          <span class="sys-id">${s.id}</span>
          <span class="sys-kind muted">${s.kind ?? ""}</span>
          <span class="sys-counts">${s.enabled ? `${s.new} new · ${s.old} saved` : "MWI off"}</span>
          ${
            s.lastCaller
              ? html`<span class="sys-caller muted">
                  last: ${caller(s.lastCaller.ani)} · ${time(s.lastCaller.at)}
                </span>`
              : null
          }
        </li>`,
      )}
    </ul>
    ${mwi?.supplemental?.text ? html`<p class="supplemental">${mwi.supplemental.text}</p>` : null}
  </section>`;
}

export function VoicemailView(p: {
  api: Api;
  items: Voicemail[] | undefined;
  error: string | undefined;
  mwi: MwiStatus | undefined;
  onChanged: () => void;
}): VNode {
  return html`<div class="screen two-col">
    <section aria-labelledby="vm-title" class="col-main">
      <div class="section-head">
        <h2 id="vm-title">Voicemail</h2>
        <button type="button" onClick=${p.onChanged}>Refresh</button>
      </div>
      ${p.error ? html`<p class="field-error" role="alert">${p.error}</p>` : null}
      ${
        p.items === undefined
          ? html`<p class="muted">Loading…</p>`
          : p.items.length === 0
            ? html`<p class="muted">No voicemail.</p>`
            : html`<ol class="list">
                ${p.items.map(
                  (vm) => html`<${VoicemailItem}
                    key=${vm.id}
                    api=${p.api}
                    vm=${vm}
                    onChanged=${p.onChanged}
                  />`,
                )}
              </ol>`
      }
    </section>
    <aside class="col-side"><${MwiPanel} mwi=${p.mwi} /></aside>
  </div>`;
}

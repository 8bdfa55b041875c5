// The profile editor sends back what it was given: in Debian chromium, every profile field is set
// by the API (all three kinds of voicemail system, both kinds of IM client, routes with every
// option, every MWI switch), alice changes her display name in the Profile screen and saves, and
// the profile the API then returns differs in that field only.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { CHROMIUM, launchBrowser, openClient, showScreen } from "../support/browser.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";

const skip = CHROMIUM.skip;

let t: TestApp;
let browser: Browser;

/** Every field with a value other than its default; nothing the server would normalise. */
const FULL = {
  displayName: "Alice Liddell",
  phones: ["+15550100", "+15550101"],
  emails: ["alice@example.com", "alice@elsewhere.example.net"],
  voicemailSystems: [
    { id: "internal", kind: "internal" },
    {
      id: "pbx",
      kind: "sip",
      uri: "sip:alice-box@127.0.0.1:9",
      depositUri: "sip:alice-deposit@127.0.0.1:9",
    },
    {
      id: "octel",
      kind: "smdi",
      link: "octel",
      station: "4100",
      depositUri: "sip:octel-deposit@127.0.0.1:9",
    },
  ],
  imClients: [
    { id: "web", kind: "web" },
    { id: "tablet", kind: "web" },
    { id: "chat", kind: "xmpp", jid: "alice@chat.example.com" },
  ],
  routes: [
    {
      from: "voicemail",
      to: ["email", "im"],
      transcribe: true,
      audioFormat: "wav",
      voice: "en-gb",
      language: "en-GB",
    },
    { from: "email", to: ["pstn", "legacy-voicemail"], transcribe: false, voice: "en-us" },
    { from: "*", to: ["im"], language: "de" },
  ],
  mwi: {
    enabled: false,
    supplemental: { timestamp: false, text: "Back on Monday" },
    phones: "all",
  },
};

before(async () => {
  if (skip) return;
  t = await startTestApp({
    smtp: { listen: "127.0.0.1:0", domains: ["example.com", "elsewhere.example.net"] },
    // The SMDI voicemail system names a link; one that listens is enough, nobody connects.
    smdi: [{ id: "octel", listen: "127.0.0.1:0" }],
  });
  await t.addUser({ id: "alice", password: "wonderland" });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await t?.stop();
});

test("saving the profile screen changes the edited field and keeps every other", {
  skip,
  timeout: 90_000,
}, async () => {
  const set = await t.api("PATCH", "/users/alice", FULL);
  assert.equal(set.status, 200, JSON.stringify(set.body));
  const before = (await t.api("GET", "/users/alice")).body as Record<string, unknown>;
  assert.deepEqual(before, { id: "alice", ...FULL }, "the API keeps every field as set");

  const page = await openClient(browser, t.app.ports.http!.port, "alice", "wonderland");
  await showScreen(page, "Profile");
  const name = page.getByLabel("Display name", { exact: true });
  await name.waitFor();
  assert.equal(await name.inputValue(), "Alice Liddell");
  await name.fill("Alice P. Liddell");
  await page.getByRole("button", { name: "Save profile" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();

  const after = (await t.api("GET", "/users/alice")).body as Record<string, unknown>;
  assert.equal(after.displayName, "Alice P. Liddell");
  assert.deepEqual(after, { ...before, displayName: "Alice P. Liddell" });
  await page.context().close();
});

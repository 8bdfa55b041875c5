// Visual voicemail: Debian chromium (playwright-core) logs in as alice, sees
// the voicemail a sipp call leaves while the page is open, plays it to `ended`, marks it read and
// watches the MWI count drop, deletes it; screenshots of each screen at phone and desktop size.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { encodeUlaw } from "../../src/media/g711.ts";
import { generateSweep } from "../../src/media/pcm.ts";
import {
  CHROMIUM,
  launchBrowser,
  openClient,
  type PageWindow,
  PHONE,
  screenshotBoth,
  showScreen,
} from "../support/browser.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { runSipp } from "../support/sipp.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";

const sipp = peer("sipp", "sip-tester");
const skip = CHROMIUM.skip ?? sipp.skip;
const AUDIO_MS = 3000;

let sink: SmtpSink;
let t: TestApp;
let browser: Browser;
let work: string;

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-web-ui-"));
  sink = await startSmtpSink();
  t = await startTestApp({
    smtpOutPort: sink.port,
    sip: { listen: "127.0.0.1:0" },
  });
  await t.addUser({
    id: "alice",
    displayName: "Alice",
    emails: ["alice@example.com"],
    phones: ["+15550001"],
    password: "wonderland",
  });
  browser = await launchBrowser();
});

/** What the caller says: a sweep as raw µ-law, the way sipp streams it. */
async function callerAudio(dir: string, ms: number): Promise<string> {
  const pcm = generateSweep(300, 3000, ms, 8000, 0.5);
  const ulaw = new Uint8Array(pcm.length);
  encodeUlaw(pcm, ulaw);
  const file = join(dir, `caller-${ms}.ulaw`);
  await writeFile(file, ulaw);
  return file;
}

/** Waits until the first voicemail's <audio> played to its end (real time) and says how it went. */
async function playedThrough(page: Page): Promise<{ duration: number; error: number | undefined }> {
  // Real time: the fake audio output consumes the samples as a sound card would.
  await page.waitForFunction(
    () =>
      (globalThis as unknown as PageWindow).document.querySelector("[data-testid=voicemail] audio")
        ?.ended === true,
    undefined,
    { timeout: 30_000 },
  );
  return page.evaluate(() => {
    const a = (globalThis as unknown as PageWindow).document.querySelector(
      "[data-testid=voicemail] audio",
    );
    return { duration: a?.duration ?? 0, error: a?.error?.code };
  });
}

after(async () => {
  await browser?.close();
  await t?.stop();
  await sink?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test("alice plays a voicemail a sipp call left, marks it read and sees the MWI count drop", {
  skip,
  timeout: 120_000,
}, async () => {
  const port = t.app.ports.http!.port;
  const login = await browser.newPage({ viewport: PHONE, baseURL: `http://127.0.0.1:${port}` });
  await login.goto("/");
  await login.getByRole("button", { name: "Log in" }).waitFor();
  await screenshotBoth(login, "login");
  await login.close();

  const page = await openClient(browser, port, "alice", "wonderland");
  await page.getByText("No voicemail.").waitFor();
  await page.getByTestId("mwi-new").filter({ hasText: "0" }).waitFor();

  const run = await runSipp(sipp.path!, t.app.ports.sip!, "deposit.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template: { audio: await callerAudio(work, AUDIO_MS), audio_ms: String(AUDIO_MS + 300) },
    workDir: work,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);

  // The page was open all along: the new message arrives by the stream, not by a reload.
  const item = page.getByTestId("voicemail").filter({ hasText: "15551234" });
  await item.waitFor();
  await page.getByTestId("mwi-new").filter({ hasText: "1" }).waitFor();
  assert.equal(await item.locator(".tag.new").count(), 1, "shown as new");
  assert.match(await item.getByLabel("duration").innerText(), /^0:0[34]$/);
  await page.getByTestId("mwi-total").filter({ hasText: "1 new" }).waitFor();
  await screenshotBoth(page, "voicemail");

  await item.getByRole("button", { name: "Play voicemail from 15551234" }).click();
  const audio = item.locator("audio");
  await audio.waitFor();
  // Real time: the fake audio output consumes the samples as a sound card would.
  const played = await playedThrough(page);
  assert.equal(played.error, undefined);
  assert.ok(Math.abs(played.duration * 1000 - AUDIO_MS) < 500, `duration ${played.duration} s`);

  await item.getByRole("button", { name: "Mark voicemail from 15551234 read" }).click();
  await page.getByTestId("mwi-new").filter({ hasText: "0" }).waitFor();
  await page.getByTestId("mwi-total").filter({ hasText: "1 saved" }).waitFor();
  await item.locator(".tag.new").waitFor({ state: "detached" });
  const stored = await t.app.store.voicemail.list("alice");
  assert.deepEqual(
    stored.map((v) => v.state),
    ["saved"],
  );

  // voicemail → email + im by default: the same message is in the stream's message list.
  await showScreen(page, "Messages");
  await page.getByTestId("message").filter({ hasText: "15551234" }).first().waitFor();
  await screenshotBoth(page, "messages");

  await showScreen(page, "Voicemail");
  await item.getByRole("button", { name: "Delete voicemail from 15551234" }).click();
  await page.getByText("No voicemail.").waitFor();
  await page.getByTestId("mwi-total").filter({ hasText: "0 saved" }).waitFor();
  assert.equal((await t.app.store.voicemail.list("alice")).length, 0);
  await page.context().close();
});

test("a change made elsewhere reaches the open page through the mwi event", {
  skip,
  timeout: 90_000,
}, async () => {
  const port = t.app.ports.http!.port;
  const page = await openClient(browser, port, "alice", "wonderland", PHONE);
  const run = await runSipp(sipp.path!, t.app.ports.sip!, "deposit.xml", {
    service: "15550001",
    keys: { caller: "15559876" },
    template: { audio: await callerAudio(work, 1000), audio_ms: "1300" },
    workDir: work,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
  await page.getByTestId("mwi-new").filter({ hasText: "1" }).waitFor();
  const item = page.getByTestId("voicemail").filter({ hasText: "15559876" });
  await item.locator(".tag.new").waitFor();

  // Marked read by another client (the REST API here): only the stream can tell this page.
  const [vm] = await t.app.store.voicemail.list("alice");
  assert.ok(vm);
  const token = await t.login("alice", "wonderland");
  const res = await t.api("PATCH", `/users/alice/voicemail/${vm.id}`, { state: "saved" }, token);
  assert.equal(res.status, 200);
  await page.getByTestId("mwi-new").filter({ hasText: "0" }).waitFor();
  await item.locator(".tag.new").waitFor({ state: "detached" });
  await page.context().close();
});

test("with audioFormat mp3 or ogg on her voicemail route, the page plays that encoding", {
  skip,
  timeout: 120_000,
}, async () => {
  const port = t.app.ports.http!.port;
  const token = await t.login("alice", "wonderland");
  const route = (audioFormat: string) =>
    t.api(
      "PATCH",
      "/users/alice",
      { routes: [{ from: "voicemail", to: ["email", "im"], audioFormat }] },
      token,
    );
  assert.equal((await route("mp3")).status, 200);
  const run = await runSipp(sipp.path!, t.app.ports.sip!, "deposit.xml", {
    service: "15550001",
    keys: { caller: "15557777" },
    template: { audio: await callerAudio(work, 2000), audio_ms: "2300" },
    workDir: work,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
  const page = await openClient(browser, port, "alice", "wonderland");
  for (const [format, type] of [
    ["mp3", "audio/mpeg"],
    ["ogg", "audio/ogg"],
  ] as const) {
    if (format === "ogg") {
      assert.equal((await route("ogg")).status, 200);
      await page.reload();
    }
    const item = page.getByTestId("voicemail").filter({ hasText: "15557777" });
    const fetched = page.waitForResponse((res) => res.url().includes(`/audio?format=${format}`));
    await item.getByRole("button", { name: "Play voicemail from 15557777" }).click();
    const res = await fetched;
    assert.equal(res.status(), 200);
    assert.equal(res.headers()["content-type"], type);
    const played = await playedThrough(page);
    assert.equal(played.error, undefined, `${format} did not play`);
    assert.ok(Math.abs(played.duration * 1000 - 2000) < 500, `${format}: ${played.duration} s`);
  }
  assert.equal((await t.api("PATCH", "/users/alice", { routes: [] }, token)).status, 200);
  await page.context().close();
});

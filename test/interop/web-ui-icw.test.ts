// Internet call waiting in the browser: a sipp call arrives while alice's page
// is open; the alert shows the caller; "Reply with text" makes sipp hear speech before the
// recording starts; live screening plays in the page while sipp is still sending.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  CHROMIUM,
  launchBrowser,
  openClient,
  type PageWindow,
  screenshotBoth,
} from "../support/browser.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { runSipp, type SippRun } from "../support/sipp.ts";
import { callerAudio, rtpProbe } from "./icw-support.ts";

const sipp = peer("sipp", "sip-tester");
const skip = CHROMIUM.skip ?? sipp.skip;

let t: TestApp;
let browser: Browser;
let page: Page;
let work: string;

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-web-icw-"));
  t = await startTestApp({
    sip: { listen: "127.0.0.1:0" },
    // Long enough that the test's choice is always in time.
    icw: { decideMs: 20_000 },
  });
  await t.addUser({ id: "alice", phones: ["+15550001"], password: "wonderland" });
  browser = await launchBrowser();
  page = await openClient(browser, t.app.ports.http!.port, "alice", "wonderland");
});

after(async () => {
  await browser?.close();
  await t?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function call(template: Record<string, string>): Promise<SippRun> {
  return runSipp(sipp.path!, t.app.ports.sip!, "icw-call.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template,
    workDir: work,
  });
}

const card = () => page.getByTestId("call-alert").filter({ hasText: "Sipp Caller (15551234)" });

async function dismissEnded(): Promise<void> {
  await card().getByText("Ended").waitFor({ timeout: 15_000 });
  await card().getByRole("button", { name: "Dismiss" }).click();
  await card().waitFor({ state: "detached" });
}

test("reply with text: the alert names the caller, and sipp hears speech before the beep", {
  skip,
  timeout: 90_000,
}, async () => {
  const ear = await rtpProbe();
  try {
    const audio = await callerAudio(work, 4000);
    const run = call({ sdp_port: String(ear.port), audio, wait_ms: "4000", audio_ms: "4300" });
    await card().waitFor({ timeout: 15_000 });
    assert.match(await card().innerText(), /to 15550001/);
    await card().locator(".countdown").waitFor();
    await screenshotBoth(page, "call-alert");

    await card()
      .getByLabel("Reply text (spoken to the caller)")
      .fill("I am in a meeting. Please leave a message after the tone.");
    await card().getByRole("button", { name: "Reply with text" }).click();
    await card().getByText("Leaving a message").waitFor({ timeout: 30_000 });
    // The beep is a quarter second (12 packets): more than 50 voiced packets is the speech.
    const heard = ear.voiced();
    assert.ok(heard >= 50, `${heard} voiced RTP packets reached the caller before the recording`);

    const result = await run;
    assert.equal(result.code, 0, `sipp failed:\n${result.errors}\n${result.output.slice(-2000)}`);
    await dismissEnded();
  } finally {
    await ear.close();
  }
});

test("live screening plays the message in the page while sipp is still sending", {
  skip,
  timeout: 90_000,
}, async () => {
  const audio = await callerAudio(work, 8000);
  let sippDone = false;
  const run = call({ sdp_port: "[media_port]", audio, wait_ms: "500", audio_ms: "8300" }).then(
    (r) => {
      sippDone = true;
      return r;
    },
  );
  await card().waitFor({ timeout: 15_000 });
  await card().getByRole("button", { name: "Send to voicemail" }).click();
  await card().getByRole("button", { name: "Listen live" }).click();
  const screening = card().getByTestId("screening");
  await screening.waitFor();
  // Playing, a second of the caller received and their voice on the level meter, while the
  // caller is still speaking.
  const player = () => {
    const doc = (globalThis as unknown as PageWindow).document;
    const a = doc.querySelector("[data-testid=screening]");
    const meter = doc.querySelector("[data-testid=call-alert] meter");
    return {
      playing: a !== null && !a.paused && a.currentTime > 0,
      receivedMs: Number(a?.dataset.receivedMs ?? 0),
      level: meter?.value ?? 0,
    };
  };
  await page
    .waitForFunction(
      () => {
        const doc = (globalThis as unknown as PageWindow).document;
        const a = doc.querySelector("[data-testid=screening]");
        const meter = doc.querySelector("[data-testid=call-alert] meter");
        return (
          a !== null &&
          !a.paused &&
          a.currentTime > 0 &&
          Number(a.dataset.receivedMs ?? 0) >= 1000 &&
          (meter?.value ?? 0) > 0.05
        );
      },
      undefined,
      { timeout: 20_000 },
    )
    .catch(async (err: Error) => {
      throw new Error(`${err.message}; the player: ${JSON.stringify(await page.evaluate(player))}`);
    });
  assert.equal(sippDone, false, "the page played audio while sipp was still sending");
  await screenshotBoth(page, "call-screening");

  const result = await run;
  assert.equal(result.code, 0, `sipp failed:\n${result.errors}\n${result.output.slice(-2000)}`);
  await dismissEnded();
  const vm = await t.app.store.voicemail.list("alice");
  assert.ok(vm.length >= 1, "the screened call was recorded");
});

// The single inbox against a real Dovecot: alice's voicemail mail goes from omnivox's SMTP out to
// a relay (smtp-server) that hands it to Dovecot over LMTP; a second IMAP client stands for her
// mail program. \Seen there saves the voicemail and MWI follows on her baresip phone (NOTIFY
// Voice-Message) and her web client; an expunge deletes it; marking one read or deleting it
// through the API reaches the mail. A domain with a wrong master password is logged once and
// stalls nobody; Dovecot killed and started again is reconnected to.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ImapFlow } from "imapflow";
import { pino } from "pino";
import { COMMUNICATION_HEADER } from "../../src/core/communication.ts";
import { type Baresip, startBaresip } from "../support/baresip.ts";
import { Dovecot, dovecotPeer } from "../support/dovecot.ts";
import { startTestApp, type TestApp } from "../support/harness.ts";
import { peer } from "../support/peers.ts";
import { callerAudio, runSipp } from "../support/sipp.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { until } from "../support/until.ts";
import { connectWebClient, type StreamEvent, type TestWebClient } from "../support/web-client.ts";

const dovecotBin = dovecotPeer();
const sipp = peer("sipp", "sip-tester");
const baresipBin = peer("baresip", "baresip");
const skip = dovecotBin.skip ?? sipp.skip ?? baresipBin.skip;

const ALICE = "alice@example.com";
const ALICE_MAIL_PASSWORD = "alice-imap-pw";
const WRONG_MASTER_PASSWORD = "not-the-master-password";
const HEADER = COMMUNICATION_HEADER;

let dovecot: Dovecot;
let sink: SmtpSink;
let t: TestApp;
let phone: Baresip | undefined;
let web: TestWebClient;
let work: string;
/** Every line the app logged, parsed. */
const logLines: Array<Record<string, unknown>> = [];
let rawLog = "";
let delivered = 0;
/** The communication of the first voicemail, read in IMAP and kept. */
let firstCommunication = "";

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-single-inbox-"));
  dovecot = await Dovecot.start(dovecotBin.path!, {
    users: [
      { user: ALICE, password: ALICE_MAIL_PASSWORD },
      { user: "carol@bad.example", password: "carol-pw" },
      { user: "dora@example.com", password: "dora-pw" },
    ],
  });
  sink = await startSmtpSink();
  const logger = pino(
    { level: "debug" },
    {
      write(line: string) {
        rawLog += line;
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  const server = { host: "127.0.0.1", port: dovecot.imapPort };
  t = await startTestApp({
    logger,
    smtpOutPort: sink.port,
    smtp: { listen: "127.0.0.1:0", domains: ["example.com", "bad.example"] },
    sip: { listen: "127.0.0.1:0", domain: "127.0.0.1" },
    imap: {
      domains: {
        "example.com": {
          ...server,
          auth: { masterUser: dovecot.master.user, masterPassword: dovecot.master.password },
        },
        "bad.example": {
          ...server,
          auth: { masterUser: dovecot.master.user, masterPassword: WRONG_MASTER_PASSWORD },
        },
      },
      retryMinMs: 100,
      retryMaxMs: 1000,
      authRetryMs: 300,
      // Users are created after the start: they are watched at once, as the API tells the
      // single inbox (profileEdited), not at a scan an hour away.
      rescanMs: 3_600_000,
    },
  });
  // Carol first: her broken mailbox must not hold alice's up.
  await t.addUser({ id: "carol", emails: ["carol@bad.example"], password: "carol-web-pw" });
  const { sipSecret } = await t.addUser({
    id: "alice",
    emails: [ALICE],
    phones: ["+15550001"],
    password: "wonderland",
  });
  web = await connectWebClient(t.app.ports.http!.port, await t.login("alice", "wonderland"));
  phone = await startBaresip({
    binary: baresipBin.path!,
    account: {
      user: "alice",
      domain: "127.0.0.1",
      password: sipSecret,
      outbound: { host: "127.0.0.1", port: t.app.ports.sip!.port },
      mwi: true,
    },
  });
  await phone.waitFor(/Messages-Waiting: no[\s\S]*Voice-Message: 0\/0/, 15_000);
});

after(async () => {
  await phone?.stop();
  await web?.close();
  await t?.stop();
  await sink?.close();
  await dovecot?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A caller leaves alice a message; resolves with its voicemail id once stored. */
async function deposit(): Promise<string> {
  const known = new Set((await t.app.store.voicemail.list("alice")).map((v) => v.id));
  const { file } = await callerAudio(work, 1500, `caller-${known.size}.ulaw`);
  const run = await runSipp(sipp.path!, t.app.ports.sip!, "deposit.xml", {
    service: "15550001",
    keys: { caller: "15551234" },
    template: { audio: file, audio_ms: "1800" },
    workDir: work,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}`);
  const added = (await t.app.store.voicemail.list("alice")).find((v) => !known.has(v.id));
  assert.ok(added, "the deposit stored a voicemail");
  return added.id;
}

/** The relay passes the next mail it received on to Dovecot, as an MTA's LMTP delivery does. */
async function relayNextMail(): Promise<string> {
  const mails = await sink.waitFor(delivered + 1);
  const mail = mails[delivered]!;
  delivered += 1;
  for (const to of mail.to) await dovecot.deliver(mail.raw, mail.from, to);
  const id = mail.parsed.headers.get(HEADER.toLowerCase());
  assert.equal(typeof id, "string", "the mail names its communication");
  return id as string;
}

/** Alice's own mail program: her login, not the master user. */
function asAlice<T>(work: (client: ImapFlow) => Promise<T>): Promise<T> {
  return dovecot.asUser(ALICE, ALICE_MAIL_PASSWORD, work);
}

/** The UID and flags of the mail of that communication in alice's INBOX, if it is there. */
function mailOf(communicationId: string): Promise<{ uid: number; flags: Set<string> } | undefined> {
  return asAlice(async (client) => {
    const uids = await client.search({ header: { [HEADER]: communicationId } }, { uid: true });
    if (!uids || uids.length === 0) return undefined;
    const [m] = await client.fetchAll(uids, { uid: true, flags: true }, { uid: true });
    return m ? { uid: m.uid, flags: m.flags ?? new Set() } : undefined;
  });
}

/** Waits for a round of alice's watcher, after `since` log lines, that saw `mails` of her mails. */
function watcherSaw(mails: number, since: number): Promise<unknown> {
  return until(
    `alice's watcher to see ${mails} mails`,
    () =>
      logLines
        .slice(since)
        .find((l) => l.msg === "imap: sync round" && l.userId === "alice" && l.mails === mails),
    15_000,
  );
}

/** Waits for the phone to print this MWI state in what it printed after `mark`. */
function phoneShows(newCount: number, oldCount: number, mark: number): Promise<unknown> {
  const waiting = newCount > 0 ? "yes" : "no";
  const pattern = new RegExp(
    `Messages-Waiting: ${waiting}\\r?\\n(?:Message-Account: \\S+\\r?\\n)?Voice-Message: ${newCount}/${oldCount}\\b`,
  );
  return until(
    `the phone to show Voice-Message: ${newCount}/${oldCount}`,
    () => pattern.test(phone!.output().slice(mark)),
    15_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; it printed:\n${phone!.output().slice(mark).slice(-3000)}`);
  });
}

const webShows = (newCount: number, since: number) =>
  web.waitFor(
    (e: StreamEvent) => e.type === "mwi" && (e.total as { new: number }).new === newCount,
    15_000,
    since,
  );

/**
 * A second voicemail beside the saved first one: stored, on the phone (1 new, 1 old), mailed
 * and seen by alice's watcher in her mailbox beside the first one's mail.
 */
async function nextVoicemailInDovecot(): Promise<{ id: string; communicationId: string }> {
  const mark = phone!.output().length;
  const id = await deposit();
  await phoneShows(1, 1, mark);
  const lines = logLines.length;
  const communicationId = await relayNextMail();
  await watcherSaw(2, lines);
  return { id, communicationId };
}

async function stateOf(id: string): Promise<string | undefined> {
  return (await t.app.store.voicemail.get("alice", id))?.state;
}

test("\\Seen on the mail in Dovecot saves the voicemail: MWI 1 → 0 on the phone and the web client", {
  skip,
  timeout: 90_000,
}, async () => {
  let mark = phone!.output().length;
  let since = web.events.length;
  const id = await deposit();
  await phoneShows(1, 0, mark);
  await webShows(1, since);
  const communicationId = await relayNextMail();
  firstCommunication = communicationId;
  const mail = await until("the mail in Dovecot", () => mailOf(communicationId), 10_000);
  assert.equal(mail.flags.has("\\Seen"), false, "a new voicemail's mail arrives unread");

  mark = phone!.output().length;
  since = web.events.length;
  await asAlice((c) => c.messageFlagsAdd(mail.uid, ["\\Seen"], { uid: true }));
  await phoneShows(0, 1, mark);
  await webShows(0, since);
  assert.equal(await stateOf(id), "saved");
  const listed = await t.api("GET", "/users/alice/voicemail");
  assert.deepEqual(
    (listed.body as Array<{ id: string; state: string }>).map((m) => [m.id, m.state]),
    [[id, "saved"]],
  );
});

test("deleting and expunging the mail in IMAP deletes the voicemail; MWI follows", {
  skip,
  timeout: 90_000,
}, async () => {
  const { id, communicationId } = await nextVoicemailInDovecot();
  const mail = await mailOf(communicationId);
  assert.ok(mail);

  const mark = phone!.output().length;
  const since = web.events.length;
  await asAlice((c) => c.messageDelete(mail.uid, { uid: true }));
  await phoneShows(0, 1, mark);
  await webShows(0, since);
  assert.equal(await stateOf(id), undefined);
  const gone = await t.api("GET", `/users/alice/voicemail/${encodeURIComponent(id)}`);
  assert.equal(gone.status, 404);
});

test("a voicemail marked read through the API gets \\Seen on its mail; deleted, its mail is expunged", {
  skip,
  timeout: 90_000,
}, async () => {
  const { id, communicationId } = await nextVoicemailInDovecot();
  const mark = phone!.output().length;
  const lines = logLines.length;
  const patched = await t.api("PATCH", `/users/alice/voicemail/${encodeURIComponent(id)}`, {
    state: "saved",
  });
  assert.equal(patched.status, 200);
  await until(
    "\\Seen on the mail in Dovecot",
    async () => (await mailOf(communicationId))?.flags.has("\\Seen"),
    15_000,
  );
  await phoneShows(0, 2, mark);
  // Our \Seen comes back from Dovecot as a FETCH, and our own save as mailboxChanged: the
  // rounds they run find nothing to do, so there is one change in all and no ping-pong.
  const changes = () =>
    logLines
      .slice(lines)
      .filter((l) => l.userId === "alice" && l.msg === "imap: single inbox change");
  await until("a quiet round after our \\Seen", () => {
    const since = logLines.indexOf(changes()[0]!);
    return logLines
      .slice(since)
      .some((l) => l.userId === "alice" && l.msg === "imap: sync round" && l.actions === 0);
  });
  assert.deepEqual(
    changes().map((l) => (l.action as { kind: string }).kind),
    ["setSeen"],
  );
  assert.equal(await stateOf(id), "saved");

  const removed = await t.api("DELETE", `/users/alice/voicemail/${encodeURIComponent(id)}`);
  assert.equal(removed.status, 204);
  await until(
    "the mail expunged from Dovecot",
    async () => (await mailOf(communicationId)) === undefined,
    15_000,
  );
  // The first voicemail and its mail are untouched.
  assert.equal((await t.app.store.voicemail.list("alice")).length, 1);
  assert.equal((await mailOf(firstCommunication))?.flags.has("\\Seen"), true);
});

test("a refused login is logged once, clearly and without the password; other users go on", {
  skip,
  timeout: 30_000,
}, async () => {
  const refused = () =>
    logLines.filter((l) => l.userId === "carol" && /refused the login/.test(String(l.msg)));
  await until("carol's refused login in the log", () => refused().length > 0, 10_000);
  // Dovecot saw several attempts (authRetryMs 300, plus its own growing delay after a failure;
  // it names the master user of a master login)…
  await until(
    "Dovecot to refuse carol's login twice",
    async () => ((await dovecot.log()).match(/auth failed[^\n]*user=<omnivox>/g) ?? []).length >= 2,
    20_000,
  );
  // …and the log holds one line for them.
  const lines = refused();
  assert.equal(lines.length, 1, "logged once");
  const line = lines[0]!;
  assert.equal(line.level, 50, "an error");
  assert.match(String(line.msg), /carol@bad\.example\*omnivox/);
  assert.match(String(line.msg), /masterPassword/);
  assert.doesNotMatch(rawLog, new RegExp(WRONG_MASTER_PASSWORD));
  assert.doesNotMatch(rawLog, new RegExp(dovecot.master.password));
  // Alice's watcher ran all along (the tests before this one), and still does.
  assert.ok(logLines.some((l) => l.userId === "alice" && l.msg === "imap: watching the mailbox"));
});

test("a user created through the API is watched at once, and no longer once erased", {
  skip,
  timeout: 30_000,
}, async () => {
  const watching = () =>
    logLines.some((l) => l.userId === "dora" && l.msg === "imap: watching the mailbox");
  await t.addUser({ id: "dora", emails: ["dora@example.com"], password: "dora-web-pw" });
  await until("dora's mailbox watched", watching, 10_000);
  assert.equal((await t.api("DELETE", "/users/dora")).status, 204);
  await until(
    "dora no longer watched",
    () => logLines.some((l) => l.userId === "dora" && l.msg === "imap: no longer watching"),
    10_000,
  );
});

test("Dovecot killed and started again: the watcher reconnects and the next change is seen", {
  skip,
  timeout: 90_000,
}, async () => {
  const { id, communicationId } = await nextVoicemailInDovecot();
  const lines = logLines.length;
  await dovecot.restart(500);
  await until(
    "alice's watcher connected again",
    () =>
      logLines.slice(lines).find((l) => l.userId === "alice" && l.msg === "imap: connected again"),
    15_000,
  );
  const mail = await mailOf(communicationId);
  assert.ok(mail);
  const mark = phone!.output().length;
  await asAlice((c) => c.messageFlagsAdd(mail.uid, ["\\Seen"], { uid: true }));
  await phoneShows(0, 2, mark);
  assert.equal(await stateOf(id), "saved");
});

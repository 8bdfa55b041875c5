// The imap system against a real Dovecot, with the store's ports in memory: who is watched follows
// the profiles; mails with a broken header or another user's communication id change nothing; a
// server that answers garbage is retried without a crash and stalls no one else.

import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { after, before, test } from "node:test";
import type { ImapFlow } from "imapflow";
import { pino } from "pino";
import { Dovecot, dovecotPeer } from "../../../test/support/dovecot.ts";
import { until } from "../../../test/support/until.ts";
import { COMMUNICATION_HEADER } from "../../core/communication.ts";
import { createSystemEvents } from "../../core/events.ts";
import { defaultProfile, type Profile } from "../../core/profile.ts";
import type { VoicemailRecord } from "../../core/repositories.ts";
import { create, type Imap, type ImapDomainOptions } from "./index.ts";

const dovecotBin = dovecotPeer();
const skip = dovecotBin.skip;

let dovecot: Dovecot;
let junk: Server;
let junkConnections = 0;
const junkSockets: Socket[] = [];
let flood: Server;
/** Bytes the flooding server got written before the client hung up, per connection. */
const flooded: number[] = [];
let imap: Imap;
const profiles = new Map<string, Profile>();
const voicemails: VoicemailRecord[] = [];
const calls: string[] = [];
const logLines: Array<Record<string, unknown>> = [];
const events = createSystemEvents((err) => {
  throw err;
});

function profile(id: string, emails: string[]): Profile {
  return { ...defaultProfile(id), emails };
}

function voicemail(id: string, communicationId: string): VoicemailRecord {
  return {
    id,
    userId: "alice",
    communicationId,
    receivedAt: new Date(),
    durationMs: 1000,
    audioId: `vm-${id}`,
    urgent: false,
    state: "new",
  };
}

before(async () => {
  if (skip) return;
  dovecot = await Dovecot.start(dovecotBin.path!, {
    users: [
      { user: "alice@example.org", password: "alice-pw" },
      { user: "bob@example.org", password: "bob-pw" },
    ],
  });
  // A "server" that greets with garbage and hangs up.
  junk = createServer((socket) => {
    junkConnections += 1;
    junkSockets.push(socket);
    socket.end("\x00\xffnot imap at all {99999999}\r\n");
  });
  await new Promise<void>((resolve) => junk.listen(0, "127.0.0.1", resolve));
  const junkPort = (junk.address() as { port: number }).port;
  // A server that greets, then sends one line that never ends.
  flood = createServer((socket) => {
    junkSockets.push(socket);
    const chunk = Buffer.alloc(64 << 10, "A");
    let sent = 0;
    socket.on("error", () => {});
    socket.on("close", () => flooded.push(sent));
    socket.write("* OK IMAP4rev1 ready\r\n* ");
    const pump = () => {
      while (!socket.destroyed && sent < 64 << 20) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once("drain", pump);
      }
      socket.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => flood.listen(0, "127.0.0.1", resolve));
  const floodPort = (flood.address() as { port: number }).port;
  const server = (port: number): ImapDomainOptions => ({
    host: "127.0.0.1",
    port,
    secure: false,
    mailbox: "INBOX",
    auth: {
      masterUser: dovecot.master.user,
      masterPassword: dovecot.master.password,
      separator: "*",
      login: "address",
    },
  });
  profiles.set("alice", profile("alice", ["alice@example.org"]));
  profiles.set("bob", profile("bob", ["bob@elsewhere.net"]));
  profiles.set("carol", profile("carol", ["carol@junk.example"]));
  profiles.set("dave", profile("dave", ["dave@flood.example"]));
  voicemails.push(
    voicemail("v1", "c-alice-1"),
    voicemail("v2", "c-alice-2"),
    voicemail("v3", "c-alice-3"),
  );
  imap = create(
    {
      domains: {
        "example.org": server(dovecot.imapPort),
        "junk.example": server(junkPort),
        "flood.example": server(floodPort),
      },
      retryMinMs: 50,
      retryMaxMs: 200,
      authRetryMs: 1000,
      rescanMs: 60_000,
    },
    {
      mailboxes: {
        markSaved: async (userId, id) => {
          calls.push(`markSaved ${userId} ${id}`);
        },
        delete: async (userId, id) => {
          calls.push(`delete ${userId} ${id}`);
        },
      },
      voicemail: { list: async (userId) => voicemails.filter((v) => v.userId === userId) },
      users: {
        list: async () => [...profiles.values()],
        get: async (id) => {
          const p = profiles.get(id);
          return p
            ? { profile: p, secrets: {}, createdAt: new Date(), updatedAt: new Date() }
            : undefined;
        },
      },
      events,
      logger: pino(
        { level: "debug" },
        { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
      ),
    },
  );
  await imap.start?.();
});

after(async () => {
  await imap?.stop?.();
  for (const s of junkSockets) s.destroy();
  await new Promise((r) => (junk ? junk.close(r) : r(undefined)));
  await new Promise((r) => (flood ? flood.close(r) : r(undefined)));
  await dovecot?.stop();
});

function mail(communication: string, subject: string): Buffer {
  return Buffer.from(
    [
      "From: omnivox@example.org",
      "To: alice@example.org",
      `Subject: ${subject}`,
      `Message-ID: <${subject.replace(/\W/g, "")}@example.org>`,
      `${COMMUNICATION_HEADER}: ${communication}`,
      "",
      "A voicemail.",
      "",
    ].join("\r\n"),
  );
}

async function appendAsAlice(raw: Buffer, flags: string[]): Promise<void> {
  await asAlice((client) => client.append("INBOX", raw, flags));
}

/** Alice's own mail program, in her INBOX. */
function asAlice<T>(work: (client: ImapFlow) => Promise<T>): Promise<T> {
  return dovecot.asUser("alice@example.org", "alice-pw", work);
}

const round = (mails: number) =>
  until(
    `a round of alice's watcher that saw ${mails} mails`,
    () =>
      logLines.find(
        (l) => l.msg === "imap: sync round" && l.userId === "alice" && l.mails === mails,
      ),
    10_000,
  );

test("mails with a broken header or someone else's communication change nothing; ours does", {
  skip,
  timeout: 30_000,
}, async () => {
  await until("alice watched", () => imap.watching().includes("alice"));
  await appendAsAlice(mail("<script>alert(1)</script>", "broken header"), ["\\Seen"]);
  await appendAsAlice(mail("c-not-alices", "foreign"), ["\\Seen"]);
  await appendAsAlice(mail("c-alice-1", "hers"), []);
  await round(2);
  assert.deepEqual(calls, []);
  // Her client reads her voicemail's mail: exactly that voicemail is saved.
  await appendAsAlice(mail("c-alice-1", "hers, again delivered"), ["\\Seen"]);
  await until("the voicemail saved", () => calls.length > 0, 10_000);
  assert.deepEqual(calls, ["markSaved alice v1"]);
});

test("a mail filed in another folder keeps its voicemail; one moved to the trash deletes it", {
  skip,
  timeout: 30_000,
}, async () => {
  await appendAsAlice(mail("c-alice-2", "to be filed"), []);
  await appendAsAlice(mail("c-alice-3", "to be thrown away"), []);
  await round(4);
  const move = (communication: string, folder: string) =>
    asAlice(async (c) => {
      const uids = await c.search(
        { header: { [COMMUNICATION_HEADER]: communication } },
        { uid: true },
      );
      assert.ok(uids && uids.length === 1);
      await c.messageMove(uids, folder, { uid: true });
    });
  await move("c-alice-2", "Archive");
  await until("the filing noticed", () =>
    logLines.find((l) => l.communicationId === "c-alice-2" && l.folder === "Archive"),
  );
  await move("c-alice-3", "Trash");
  await until("the voicemail deleted", () => calls.includes("delete alice v3"), 10_000);
  assert.deepEqual(calls, ["markSaved alice v1", "delete alice v3"]);
});

test("a server that answers garbage is retried with backoff, logged, and crashes nothing", {
  skip,
  timeout: 30_000,
}, async () => {
  await until("carol's server tried three times", () => junkConnections >= 3, 10_000);
  const warnings = logLines.filter((l) => l.userId === "carol" && l.level === 40);
  assert.equal(warnings.length, 1, "the first failure of the streak is a warning, the rest debug");
  assert.match(String(warnings[0]?.msg), /cannot open the mailbox/);
  assert.ok(imap.watching().includes("carol"));
});

test("a server whose line never ends is cut off at the line limit, not read into memory", {
  skip,
  timeout: 30_000,
}, async () => {
  await until("two flooding connections cut off", () => flooded.length >= 2, 15_000);
  // The client hung up once the line passed the limit; the server had 64 MiB to send.
  for (const bytes of flooded) assert.ok(bytes < 64 << 20, `read ${bytes} bytes`);
  assert.ok(
    logLines.some((l) => l.userId === "dave" && /LineTooLarge|too large/i.test(String(l.err))),
    "the failure is logged with its reason",
  );
});

test("who is watched follows the profiles", { skip, timeout: 30_000 }, async () => {
  assert.equal(imap.watching().includes("bob"), false, "no address in a watched domain");
  profiles.set("bob", profile("bob", ["bob@example.org"]));
  events.emit("profileChanged", "bob");
  await until("bob watched", () => imap.watching().includes("bob"));
  await until("bob's mailbox open", () =>
    logLines.find((l) => l.userId === "bob" && l.msg === "imap: watching the mailbox"),
  );
  profiles.delete("alice");
  events.emit("profileChanged", "alice");
  await until("alice no longer watched", () => !imap.watching().includes("alice"));
  profiles.set("bob", profile("bob", ["bob@elsewhere.net"]));
  events.emit("profileChanged", "bob");
  await until("bob no longer watched", () => !imap.watching().includes("bob"));
  // A user created since the last scan is watched from their first voicemail (mailboxChanged).
  profiles.set("alice", profile("alice", ["alice@example.org"]));
  events.emit("mailboxChanged", "alice");
  await until("alice watched again", () => imap.watching().includes("alice"));
});

// Erasure end to end on SQLite and PostgreSQL: a user with data in every table that can refer to
// a user — profile, addresses and secrets, a session and an open web client, a voicemail sipp
// left (its communication, deliveries, native id and MWI state and indicator), a sent message,
// greetings and speech audio, a phone's registration and subscription, a PIN lockout — is deleted
// through DELETE /api/v1/users/:id. Every table is then read generically (test/support/
// user-references.ts): no value anywhere names the user or one of their rows, no audio of theirs
// is left, their web client is closed, and another user's data is untouched. Refusals first: a
// stranger's token gets 403, an unknown user 404, a malformed id 400, and nothing goes.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { greetingAudioId } from "../src/core/mailbox.ts";
import { SQLITE_FILE } from "../src/store/open.ts";
import { startTestApp, type TestApp } from "./support/harness.ts";
import { depositMessage } from "./support/mailbox-calls.ts";
import { peer } from "./support/peers.ts";
import { dropSchema, guardSchemaChurn, TEST_PG_URL, testDialects } from "./support/store.ts";
import { until } from "./support/until.ts";
import { referencesTo, type StoreLocation } from "./support/user-references.ts";
import { connectWebClient, type TestWebClient } from "./support/web-client.ts";

const sipp = peer("sipp", "sip-tester");
const U = "ursula-erased";
const KEEPER = "keeper";
const WAV = Uint8Array.from({ length: 64 }, (_, i) => i);
/** A message the user sends: a communication they own, with a delivery. */
const OUTGOING = { to: "mailto:someone@elsewhere.example", text: "see you" };
/** Tables that hold no user's data: the cluster's shared values and the migrator's own. */
const NOT_USER_DATA = new Set(["cluster_settings", "kysely_migration", "kysely_migration_lock"]);

for (const dialect of await testDialects()) {
  describe(`erasing a user on ${dialect.name}`, { skip: dialect.skip ?? sipp.skip }, () => {
    let t: TestApp;
    let work: string;
    let at: StoreLocation;
    let client: TestWebClient;
    const pgSchema = `t_erase_${randomBytes(5).toString("hex")}`;

    before(async () => {
      work = await mkdtemp(join(tmpdir(), "omnivox-erase-"));
      const database =
        dialect.name === "postgres" ? { database: TEST_PG_URL, databaseSchema: pgSchema } : {};
      t = await guardSchemaChurn({ database: database.database ?? "sqlite", dataDir: work }, () =>
        startTestApp(database),
      );
      at =
        dialect.name === "postgres" ? { pgSchema } : { sqliteFile: join(t.dataDir, SQLITE_FILE) };
    });

    after(async () => {
      await client?.close();
      await t?.stop();
      if (dialect.name === "postgres") await dropSchema(pgSchema);
      if (work) await rm(work, { recursive: true, force: true });
    });

    /** Fills every user-referring table for `id`; returns the ids their rows carry. */
    async function userWithData(id: string, phone: string): Promise<string[]> {
      const { store } = t.app;
      await t.addUser({
        id,
        emails: [`${id}@example.com`],
        phones: [phone],
        imClients: [
          { id: "web", kind: "web" },
          { id: "chat", kind: "xmpp", jid: `${id}@chat.example.net` },
        ],
        password: `${id}-password`,
        pin: "246810",
      });
      const token = await t.login(id, `${id}-password`);
      const run = await depositMessage(sipp.path!, t, phone.slice(1), work);
      assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
      const sent = await t.api("POST", "/messages", OUTGOING, token);
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      const communications = (await store.communications.listForUser(id)).map(
        (c) => c.communication,
      );
      const messages = await store.voicemail.list(id);
      assert.equal(messages.length, 1);
      const audio = [
        ...messages.map((m) => m.audioId),
        greetingAudioId(id),
        greetingAudioId(id, "busy"),
        ...communications.map((c) => `tts-${c.id}`),
      ];
      for (const audioId of audio.slice(1)) await store.audio.put(audioId, WAV, "audio/wav");
      const now = Date.now();
      await store.registrations.put({
        aor: `sip:${phone}@voice.example.test`,
        contactKey: "sip:phone@127.0.0.1:5099",
        userId: id,
        contact: "sip:phone@127.0.0.1:5099",
        expiresAt: new Date(now + 3600_000),
        registeredAt: new Date(now),
        nodeId: "node-a",
        direct: true,
      });
      await store.phoneSubscriptions.put({
        callId: `sub-${randomBytes(4).toString("hex")}`,
        localTag: "tag",
        userId: id,
        nodeId: "node-a",
        expiresAt: new Date(now + 3600_000),
        state: "{}",
      });
      await store.pinLockouts.put(id, {
        failures: 1,
        windowStart: now,
        strikes: 0,
        bannedUntil: 0,
        lastFailure: now,
        callers: ["+15551234"],
      });
      // A cluster's nodes number a user's indicators with one counter row (mwi_versions).
      await store.mwiIndicators.takeVersion(id);
      // The deposit's change reaches MWI: its state and the web client's indicator slot.
      await until("mwi state", async () =>
        (await store.mwi.listForUser(id)).length > 0 ? true : undefined,
      );
      const sessions = (await store.sessions.listForUser(id, new Date())).map((s) => s.id);
      return [
        id,
        ...communications.map((c) => c.id),
        ...messages.map((m) => m.id),
        ...audio,
        ...sessions,
      ];
    }

    test("every row and audio file of the user goes; refusals first erase nothing", {
      timeout: 120_000,
    }, async () => {
      const needles = await userWithData(U, "+15550042");
      const kept = await userWithData(KEEPER, "+15550043");
      const keeperToken = await t.login(KEEPER, `${KEEPER}-password`);
      client = await connectWebClient(t.app.ports.http!.port, await t.login(U, `${U}-password`));

      const before = await referencesTo(at, needles);
      const userTables = before.tables.filter((name) => !NOT_USER_DATA.has(name));
      // On SQLite audio lives in files; audio_blobs is PostgreSQL's.
      const expected = userTables.filter((n) => dialect.name === "postgres" || n !== "audio_blobs");
      assert.deepEqual(
        expected.filter((name) => !before.hitTables.has(name)),
        [],
        "the setup puts the user in every table but the cluster's and the migrator's",
      );

      // Refused: another user's token, an unknown id, a malformed one. Nothing is erased.
      const stranger = await t.api("DELETE", `/users/${U}`, undefined, keeperToken);
      assert.equal(stranger.status, 403);
      assert.equal((stranger.body as { error: string }).error, "OMNIVOX_ERR_FORBIDDEN");
      const unknown = await t.api("DELETE", "/users/nobody-here");
      assert.equal(unknown.status, 404);
      assert.equal((unknown.body as { error: string }).error, "OMNIVOX_ERR_NOT_FOUND");
      const malformed = await t.api("DELETE", "/users/Bad%20Id!");
      assert.equal(malformed.status, 400);
      assert.deepEqual((await referencesTo(at, needles)).hits, before.hits);

      const closed = new Promise<void>((resolve) => client.socket.once("close", () => resolve()));
      const res = await t.api("DELETE", `/users/${U}`);
      assert.equal(res.status, 204);
      await closed;
      assert.equal(client.socket.readyState, WebSocket.CLOSED, "the user's web client is closed");

      const afterwards = await referencesTo(at, needles);
      assert.deepEqual(afterwards.hits, [], "no table refers to the user or their rows");
      for (const audioId of needles)
        assert.equal(await t.app.store.audio.get(audioId).catch(() => undefined), undefined);
      if (dialect.name === "sqlite") {
        const files = await readdir(join(t.dataDir, "audio"));
        const audioIds = needles.filter((n) => files.some((f) => f.startsWith(`${n}.`)));
        assert.deepEqual(audioIds, [], "no audio file of the user remains");
        assert.ok(
          kept.some((id) => files.some((f) => f.startsWith(`${id}.`))),
          "the other user's audio files stay",
        );
      }

      // The other user is untouched, row for row.
      const keeper = await referencesTo(at, kept);
      assert.deepEqual(
        expected.filter((name) => !keeper.hitTables.has(name)),
        [],
        "the other user still has their data in every table",
      );
      assert.equal((await t.app.store.voicemail.list(KEEPER)).length, 1);
      assert.equal((await t.api("GET", `/users/${KEEPER}`, undefined, keeperToken)).status, 200);

      // Gone for good: the id is unknown now, and the user's token no longer works.
      assert.equal((await t.api("DELETE", `/users/${U}`)).status, 404);
      assert.equal((await t.api("GET", `/users/${U}`)).status, 404);
    });
  });
}

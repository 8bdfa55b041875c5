// The PIN guard over a real store and the real receiver: a lock is logged at warn once (mailbox,
// source, count, until; never a PIN) and becomes one notice routed to the user's mail and IM;
// a PIN shorter than voicemail.minPinLength still works and is logged with advice.

import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { parseConfig } from "../config/load.ts";
import { defaultProfile } from "../core/profile.ts";
import { Receiver } from "../gateway/receiver.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/types.ts";
import { lockNoticeText, pinGuard } from "./pin-guard.ts";

let store: Store;
const lines: Array<Record<string, unknown>> = [];
const logger = pino(
  { level: "info" },
  new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  }),
);

before(async () => {
  store = await openStore({ database: ":memory:", dataDir: "/nonexistent" });
  await store.users.create({ ...defaultProfile("alice"), emails: ["alice@example.com"] }, {});
});
after(() => store.close());

test("a lock is logged once at warn, without the PIN, and the user gets one notice", async () => {
  let now = Date.parse("2026-01-01T10:00:00Z");
  const gateway = new Receiver({ store, logger, holdMs: 60_000, onCommitted: () => undefined });
  const config = parseConfig({ voicemail: { pinLockout: { maxFailures: 3 } } });
  const locks: string[] = [];
  const guard = pinGuard(config, {
    store,
    gateway,
    logger,
    now: () => now,
    onLock: (scope) => locks.push(scope),
  });
  const callers = [
    { source: "192.0.2.1", caller: "+15551111" },
    { source: "192.0.2.2", caller: "+15552222" },
    { source: "192.0.2.3" },
  ];
  assert.equal(await guard.failed("alice", callers[0]!), undefined);
  assert.equal(await guard.failed("alice", callers[1]!), undefined);
  const until = await guard.failed("alice", callers[2]!);
  assert.equal(until?.toISOString(), "2026-01-01T10:05:00.000Z");
  assert.deepEqual(await guard.locked("alice", { source: "198.51.100.7" }), until);
  now += 1000;
  // A straggler of a parallel call during the lock does not lock (or notify) again.
  assert.deepEqual(await guard.failed("alice", callers[0]!), until);

  assert.deepEqual(locks, ["mailbox"], "one lock counted for the metric");
  const warns = lines.filter((l) => l.level === 40);
  assert.equal(warns.length, 1);
  assert.deepEqual(
    { ...warns[0], time: undefined, pid: undefined, hostname: undefined, level: undefined },
    {
      time: undefined,
      pid: undefined,
      hostname: undefined,
      level: undefined,
      mailbox: "alice",
      source: "192.0.2.3",
      count: 3,
      until: "2026-01-01T10:05:00.000Z",
      msg: "voicemail PIN: mailbox locked after wrong PINs",
    },
  );

  const [row, ...others] = await store.communications.listForUser("alice");
  assert.equal(others.length, 0, "one notice");
  assert.ok(row);
  const notice = row.communication;
  assert.equal(notice.kind, "email");
  assert.deepEqual(notice.from, { scheme: "web", userId: "omnivox", clientId: "security" });
  assert.equal(
    notice.kind === "email" ? notice.body.text : "",
    lockNoticeText(3, ["+15551111", "+15552222", "192.0.2.3"], until!),
  );
  assert.match(
    lockNoticeText(3, ["+15551111"], until!),
    /^Your voicemail box was locked after 3 wrong PINs from \+15551111; it unlocks at 2026-01-01T10:05:00\.000Z\./,
  );
  // Routed like any text: the IM client by the default route, and the user's mailbox.
  assert.deepEqual(row.deliveries.map((d) => d.target).sort(), [
    "mailto:alice@example.com",
    "web:alice/web",
  ]);
});

test("a PIN shorter than minPinLength opens the box and is logged with advice", async () => {
  lines.length = 0;
  const gateway = new Receiver({ store, logger, holdMs: 60_000, onCommitted: () => undefined });
  const guard = pinGuard(parseConfig({}), { store, gateway, logger });
  guard.succeeded("alice", { source: "192.0.2.9" }, 4);
  guard.succeeded("alice", { source: "192.0.2.9" }, 6);
  const warns = lines.filter((l) => l.level === 40);
  assert.equal(warns.length, 1);
  assert.equal(warns[0]?.mailbox, "alice");
  assert.equal(warns[0]?.minPinLength, 6);
  assert.match(String(warns[0]?.msg), /shorter than voicemail\.minPinLength \(6 digits\).*longer/);
});

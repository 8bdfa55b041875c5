// MwiService over a real SQLite store: per-client indicators with their own identification, the
// aggregate over systems, switches that reach the sources, coalescing for away clients, retries.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import pino from "pino";
import { type OpenedTestStore, testDialects } from "../../test/support/store.ts";
import { until } from "../../test/support/until.ts";
import type { Address } from "../core/address.ts";
import { formatAddress } from "../core/address.ts";
import { TargetUnavailableError } from "../core/errors.ts";
import type { VoicemailIndicator } from "../core/mwi.ts";
import type { IndicatorTarget, MwiSource } from "../core/ports.ts";
import { defaultProfile, type Profile, type VoicemailSystem } from "../core/profile.ts";
import { MwiService } from "./mwi-service.ts";

class RecordingTarget implements IndicatorTarget {
  readonly got: Array<{ target: string; indicator: VoicemailIndicator; id: string }> = [];
  readonly online = new Set<string>();
  failNext = 0;
  handles(address: Address): boolean {
    return address.scheme === "web" || address.scheme === "xmpp";
  }
  isAvailable(address: Address): boolean {
    return this.online.has(formatAddress(address));
  }
  async sendIndicator(address: Address, indicator: VoicemailIndicator, id: string) {
    const target = formatAddress(address);
    if (!this.online.has(target)) throw new TargetUnavailableError(`${target} away`);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("link broke");
    }
    this.got.push({ target, indicator, id });
  }
  for(target: string) {
    return this.got.filter((g) => g.target === target);
  }
}

class RecordingSource implements MwiSource<"sip"> {
  readonly kind = "sip" as const;
  readonly syncs: Array<{ userId: string; systems: Array<{ id: string; enabled: boolean }> }> = [];
  async sync(
    userId: string,
    systems: Array<{ system: Extract<VoicemailSystem, { kind: "sip" }>; enabled: boolean }>,
  ) {
    this.syncs.push({
      userId,
      systems: systems.map((s) => ({ id: s.system.id, enabled: s.enabled })),
    });
  }
  async stop() {}
}

const counts = (n: number, o = 0) => ({ new: n, old: o, urgentNew: 0, urgentOld: 0 });

function alice(): Profile {
  return {
    ...defaultProfile("alice", "Alice"),
    voicemailSystems: [
      { id: "internal", kind: "internal" },
      { id: "pbx", kind: "sip", uri: "sip:alice@pbx.example.net" },
      { id: "octel", kind: "smdi", link: "smdi1", station: "4100" },
    ],
    imClients: [
      { id: "web", kind: "web" },
      { id: "phone", kind: "xmpp", jid: "alice@chat.example.net" },
    ],
    mwi: { enabled: true, supplemental: { timestamp: true, text: "Call 611 for help" } },
  };
}

const [sqlite] = await testDialects();
if (!sqlite) throw new Error("no sqlite dialect");

describe("MwiService", () => {
  let t: OpenedTestStore;
  let target: RecordingTarget;
  let source: RecordingSource;
  let service: MwiService;
  let phoneUpdates: number;

  beforeEach(async () => {
    phoneUpdates = 0;
    t = await sqlite.open();
    await t.store.users.create(alice(), {});
    target = new RecordingTarget();
    source = new RecordingSource();
    service = new MwiService({
      store: t.store,
      logger: pino({ level: "silent" }),
      sources: [source],
      targets: [target],
      indicatorTtlMs: 60_000,
      retryMs: 50,
      onChange: () => {
        phoneUpdates++;
      },
    });
    await service.start();
  });
  afterEach(async () => {
    await service.stop();
    await t.cleanup();
  });

  test("start-up syncs each source with the systems of its kind, enabled by default", () => {
    assert.deepEqual(source.syncs, [{ userId: "alice", systems: [{ id: "pbx", enabled: true }] }]);
  });

  test("a report reaches every client with its own identification and all three systems", async () => {
    target.online.add("web:alice/web").add("xmpp:alice@chat.example.net");
    const at = new Date("2026-11-22T08:00:00.000Z");
    await service.report("alice", "pbx", {
      counts: { new: 2, old: 5, urgentNew: 1, urgentOld: 0 },
      lastCaller: { ani: "+15550001", dnis: "4100", at },
    });
    await service.report("alice", "octel", { counts: counts(1) });
    // The start-up state (all zero) may come first; what matters is the state after both.
    const both = (g: { indicator: VoicemailIndicator }) => g.indicator.total.new === 3;
    await until(
      'target.for("xmpp:alice@chat.example.net").some(both)',
      () => target.for("xmpp:alice@chat.example.net").some(both),
      3000,
    );
    await until(
      'target.for("web:alice/web").some(both)',
      () => target.for("web:alice/web").some(both),
      3000,
    );
    const web = target.for("web:alice/web").at(-1)!.indicator;
    const xmpp = target.for("xmpp:alice@chat.example.net").at(-1)!.indicator;
    assert.deepEqual(web.client, { id: "web", kind: "web" });
    assert.deepEqual(xmpp.client, { id: "phone", kind: "xmpp", jid: "alice@chat.example.net" });
    assert.deepEqual(
      web.systems.map((s) => [s.id, s.new, s.old]),
      [
        ["internal", 0, 0],
        ["pbx", 2, 5],
        ["octel", 1, 0],
      ],
    );
    assert.deepEqual(web.total, { new: 3, old: 5, urgentNew: 1, urgentOld: 0 });
    assert.deepEqual(web.lastCaller, {
      systemId: "pbx",
      ani: "+15550001",
      dnis: "4100",
      at: at.toISOString(),
    });
    assert.equal(web.supplemental?.text, "Call 611 for help");
    assert.ok(web.supplemental?.timestamp);
    assert.equal(web.version, xmpp.version);
    const snap = await service.snapshot("alice");
    assert.deepEqual(snap.total, web.total);
  });

  test("an unchanged report sends nothing; an unknown system is ignored", async () => {
    target.online.add("web:alice/web");
    await service.report("alice", "pbx", { counts: counts(1) });
    await until(
      'target.for("web:alice/web").some((g) => g.indicator.total.new === 1)',
      () => target.for("web:alice/web").some((g) => g.indicator.total.new === 1),
      3000,
    );
    const before = target.got.length;
    await service.report("alice", "pbx", { counts: counts(1) });
    await service.report("alice", "nope", { counts: counts(9) });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(target.got.length, before);
  });

  test("an away client gets exactly one indicator, the latest, when it returns", async () => {
    for (let n = 1; n <= 5; n++) await service.report("alice", "pbx", { counts: counts(n) });
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(target.got.length, 0);
    target.online.add("web:alice/web");
    service.clientAvailable({ scheme: "web", userId: "alice", clientId: "web" });
    await until(
      'target.for("web:alice/web").length === 1',
      () => target.for("web:alice/web").length === 1,
      3000,
    );
    await new Promise((r) => setTimeout(r, 200));
    const got = target.for("web:alice/web");
    assert.equal(got.length, 1);
    assert.equal(got[0]?.indicator.systems.find((s) => s.id === "pbx")?.new, 5);
  });

  test("a failed send is retried and then delivered once", async () => {
    target.online.add("web:alice/web");
    target.failNext = 2;
    await service.report("alice", "pbx", { counts: counts(3) });
    await until(
      'target.for("web:alice/web").length === 1',
      () => target.for("web:alice/web").length === 1,
      5000,
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(target.for("web:alice/web").length, 1);
  });

  test("switching a system off tells its source, drops its reports and its counts", async () => {
    target.online.add("web:alice/web");
    await service.report("alice", "pbx", { counts: counts(4) });
    const snap = await service.setEnabled("alice", "pbx", false);
    assert.equal(snap.systems.find((s) => s.id === "pbx")?.enabled, false);
    assert.equal(snap.total.new, 0);
    assert.deepEqual(source.syncs.at(-1), {
      userId: "alice",
      systems: [{ id: "pbx", enabled: false }],
    });
    await service.report("alice", "pbx", { counts: counts(7) });
    assert.equal((await service.snapshot("alice")).systems[1]?.new, 4);
    await service.setEnabled("alice", "pbx", true);
    assert.deepEqual(source.syncs.at(-1)?.systems, [{ id: "pbx", enabled: true }]);
    await assert.rejects(service.setEnabled("alice", "nope", true), /no voicemail system/);
    await assert.rejects(service.setEnabled("bob", "pbx", true), /no user/);
  });

  test("our own store: counts and the newest caller come from the voicemail repo", async () => {
    target.online.add("web:alice/web");
    await t.store.voicemail.insert({
      id: "m1",
      userId: "alice",
      ani: "+15557777",
      dnis: "+15551000",
      receivedAt: new Date("2026-11-22T09:00:00.000Z"),
      durationMs: 3000,
      audioId: "a1",
      urgent: false,
      state: "new",
    });
    await service.internalChanged("alice");
    await until(
      'target.for("web:alice/web").some((g) => g.indicator.total.new === 1)',
      () => target.for("web:alice/web").some((g) => g.indicator.total.new === 1),
      3000,
    );
    const ind = target.for("web:alice/web").at(-1)!.indicator;
    assert.equal(ind.systems[0]?.new, 1);
    assert.equal(ind.lastCaller?.ani, "+15557777");
    assert.equal(ind.lastCaller?.systemId, "internal");
  });

  test("a client removed from the profile gets nothing more; a deleted user is unsynced", async () => {
    target.online.add("web:alice/web").add("xmpp:alice@chat.example.net");
    const profile = alice();
    profile.imClients = [{ id: "web", kind: "web" }];
    await t.store.users.update("alice", profile);
    await service.profileChanged("alice");
    await service.report("alice", "pbx", { counts: counts(2) });
    await until(
      'target.for("web:alice/web").some((g) => g.indicator.total.new === 2)',
      () => target.for("web:alice/web").some((g) => g.indicator.total.new === 2),
      3000,
    );
    assert.ok(!target.for("xmpp:alice@chat.example.net").some((g) => g.indicator.total.new === 2));
    await t.store.users.delete("alice");
    await service.profileChanged("alice");
    assert.deepEqual(source.syncs.at(-1), { userId: "alice", systems: [] });
  });

  /** Counts the store's MWI commits; `gate`, while set, holds each commit until it resolves. */
  function countCommits(): { count: () => number; hold: () => () => void } {
    const repo = t.store.mwiIndicators;
    const commit = repo.commit.bind(repo);
    let n = 0;
    let gate: Promise<void> | undefined;
    repo.commit = async (...args) => {
      n++;
      if (gate) await gate;
      return commit(...args);
    };
    return {
      count: () => n,
      hold: () => {
        let release!: () => void;
        gate = new Promise((r) => {
          release = r;
        });
        return () => {
          gate = undefined;
          release();
        };
      },
    };
  }

  test("a burst of reports for one system is one write and one indicator, the latest", async () => {
    target.online.add("web:alice/web");
    const commits = countCommits();
    const phonesBefore = phoneUpdates;
    const first = new Date("2026-11-22T10:00:00.000Z");
    await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        service.report("alice", "pbx", {
          counts: counts(n + 1),
          // Only the first names a caller: the merged report keeps it.
          ...(n === 0 ? { lastCaller: { ani: "+15550100", at: first } } : {}),
        }),
      ),
    );
    assert.equal(commits.count(), 1);
    assert.equal(phoneUpdates, phonesBefore + 1);
    await until(
      'target.for("web:alice/web").some((g) => g.indicator.total.new === 10)',
      () => target.for("web:alice/web").some((g) => g.indicator.total.new === 10),
      3000,
    );
    const burst = target.for("web:alice/web").filter((g) => g.indicator.total.new > 0);
    assert.deepEqual(
      burst.map((g) => g.indicator.total.new),
      [10],
    );
    assert.equal(burst[0]?.indicator.lastCaller?.ani, "+15550100");
    const snap = await service.snapshot("alice");
    assert.equal(snap.systems.find((s) => s.id === "pbx")?.new, 10);
  });

  test("the newest caller given in a burst wins", async () => {
    const commits = countCommits();
    const at = (h: number) => new Date(`2026-11-22T${h}:00:00.000Z`);
    await Promise.all([
      service.report("alice", "pbx", {
        counts: counts(1),
        lastCaller: { ani: "+1555001", at: at(10) },
      }),
      service.report("alice", "pbx", {
        counts: counts(2),
        lastCaller: { ani: "+1555002", at: at(11) },
      }),
      service.report("alice", "pbx", { counts: counts(3) }),
    ]);
    assert.equal(commits.count(), 1);
    const row = await t.store.mwi.get("alice", "pbx");
    assert.equal(row?.newCount, 3);
    assert.equal(row?.lastCaller?.ani, "+1555002");
  });

  test("reports arriving while one is applied are applied after it, merged, in order", async () => {
    target.online.add("web:alice/web");
    const commits = countCommits();
    const release = commits.hold();
    const applying = service.report("alice", "pbx", { counts: counts(1) });
    await until("the first commit under way", () => commits.count() === 1, 3000);
    const later = [2, 3, 4].map((n) => service.report("alice", "pbx", { counts: counts(n) }));
    // Other systems of the same user queue too, each merged on its own.
    const octel = service.report("alice", "octel", { counts: counts(1) });
    release();
    await Promise.all([applying, ...later, octel]);
    assert.equal(commits.count(), 3);
    assert.equal((await t.store.mwi.get("alice", "pbx"))?.newCount, 4);
    assert.equal((await t.store.mwi.get("alice", "octel"))?.newCount, 1);
    await until(
      'target.for("web:alice/web").some((g) => g.indicator.total.new === 5)',
      () => target.for("web:alice/web").some((g) => g.indicator.total.new === 5),
      3000,
    );
    const versions = target.for("web:alice/web").map((g) => g.indicator.version);
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
    );
    assert.equal(new Set(versions).size, versions.length);
    assert.equal(target.for("web:alice/web").at(-1)?.indicator.total.new, 5);
  });

  test("after a restart the versions go on from the store's", async () => {
    target.online.add("web:alice/web");
    await service.report("alice", "pbx", { counts: counts(1) });
    await until(
      'target.for("web:alice/web").some((g) => g.indicator.total.new === 1)',
      () => target.for("web:alice/web").some((g) => g.indicator.total.new === 1),
      3000,
    );
    const before = target.for("web:alice/web").at(-1)!.indicator.version;
    await service.stop();
    await service.start();
    await service.report("alice", "pbx", { counts: counts(2) });
    await until(
      'target.for("web:alice/web").some((g) => g.indicator.total.new === 2)',
      () => target.for("web:alice/web").some((g) => g.indicator.total.new === 2),
      3000,
    );
    assert.ok(target.for("web:alice/web").at(-1)!.indicator.version > before);
  });
});

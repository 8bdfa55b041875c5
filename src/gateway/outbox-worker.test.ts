// The outbox worker against the real store (SQLite and PostgreSQL): concurrency, retries with
// backoff up to a limit, permanent failures, holds and releases, restart, expiry, shared renditions.
// The adapter here is a programmable target; the interop tests use real SMTP and WebSocket peers.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pino } from "pino";
import { testCommunication, testDialects } from "../../test/support/store.ts";
import { until } from "../../test/support/until.ts";
import { type Address, formatAddress } from "../core/address.ts";
import type { Communication } from "../core/communication.ts";
import { DeliveryError, RtpPortsExhaustedError, TargetUnavailableError } from "../core/errors.ts";
import type { Adapter, DeliveryTarget } from "../core/ports.ts";
import { defaultProfile } from "../core/profile.ts";
import type { Rendition } from "../core/rendition.ts";
import type { RouteOptions } from "../core/routing.ts";
import type { Store } from "../store/types.ts";
import { AdapterRegistry } from "./adapter-registry.ts";
import { ConverterRegistry, defaultConverters } from "./convert/registry.ts";
import { type OutboxOptions, OutboxWorker } from "./outbox-worker.ts";

type Outcome = "ok" | Error | (() => Promise<void>);

const TEST_CONVERTER_DEPS = {
  audioLinks: { urlFor: (audioId: string) => `http://omnivox.test/api/v1/audio/${audioId}` },
};

class ScriptedAdapter implements Adapter {
  readonly name = "scripted";
  readonly sent: Array<{ target: DeliveryTarget; rendition: Rendition }> = [];
  available = false;
  constructor(private readonly script: (target: DeliveryTarget) => Outcome) {}
  handles(a: Address): boolean {
    return a.scheme === "mailto" || a.scheme === "web";
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  isAvailable(): boolean {
    return this.available;
  }
  async send(
    _c: Communication,
    rendition: Rendition,
    target: DeliveryTarget,
  ): Promise<string | undefined> {
    const outcome = this.script(target);
    if (outcome instanceof Error) throw outcome;
    if (typeof outcome === "function") await outcome();
    this.sent.push({ target, rendition });
    return `native-${target.deliveryId}`;
  }
}

const OPTIONS: OutboxOptions = {
  concurrency: 16,
  maxAttempts: 3,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  leaseMs: 60_000,
  holdMs: 60_000,
  pollMs: 10,
};

async function setup(
  store: Store,
  adapter: Adapter,
  options: Partial<OutboxOptions> = {},
  converters?: ConverterRegistry,
) {
  await store.users.create({ ...defaultProfile("alice"), emails: ["alice@example.com"] }, {});
  const worker = new OutboxWorker({
    store,
    adapters: new AdapterRegistry().register(adapter),
    converters: converters ?? defaultConverters(TEST_CONVERTER_DEPS),
    logger: pino({ level: "silent" }),
    options: { ...OPTIONS, ...options },
  });
  return worker;
}

const web = (client: string) => formatAddress({ scheme: "web", userId: "alice", clientId: client });

/** Whether every one of `rows` is delivered. */
async function allDelivered(store: Store, rows: ReadonlyArray<{ id: string }>): Promise<boolean> {
  const states = await Promise.all(rows.map((r) => store.outbox.get(r.id)));
  return states.every((d) => d?.state === "delivered");
}

/** `n` communications, each with one delivery to `target`; their deliveries, in order. */
async function mails(store: Store, target: string, n: number): Promise<Array<{ id: string }>> {
  const rows = [];
  for (let i = 0; i < n; i++)
    rows.push(
      ...(await store.communications.insertWithDeliveries(testCommunication(), [{ target }])),
    );
  return rows;
}

for (const dialect of await testDialects()) {
  describe(`outbox worker on ${dialect.name}`, { skip: dialect.skip }, () => {
    test("delivers the targets of one communication concurrently", async () => {
      const t = await dialect.open();
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let started = 0;
      const adapter = new ScriptedAdapter(() => async () => {
        started++;
        await gate;
      });
      const worker = await setup(t.store, adapter);
      try {
        const c = testCommunication();
        const targets = ["a", "b", "c", "d", "e"].map((x) => ({ target: web(x) }));
        const rows = await t.store.communications.insertWithDeliveries(c, targets);
        await worker.start();
        await until("five sends in flight at once", async () => started === 5, 10_000);
        release();
        await until("all delivered", () => allDelivered(t.store, rows), 10_000);
        const d = await t.store.outbox.get(rows[0]!.id);
        assert.equal(d?.nativeId, `native-${rows[0]!.id}`);
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("a target held to its share gets its next due row when one of its deliveries ends, not at the next poll", async () => {
      const t = await dialect.open();
      const adapter = new ScriptedAdapter(() => () => new Promise((r) => setTimeout(r, 20)));
      // The poll is a minute away: only the end of a delivery can start the next.
      const worker = await setup(t.store, adapter, { pollMs: 60_000, perTargetConcurrency: 2 });
      try {
        await mails(t.store, web("one"), 8);
        await worker.start();
        await until(
          "all eight delivered, two at a time",
          async () => adapter.sent.length === 8,
          10_000,
        );
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("a delivery waiting for its target's confirmation gives its slot back; a target that never confirms fills only its waiting places", async () => {
      const t = await dialect.open();
      let confirm!: () => void;
      const confirmed = new Promise<void>((r) => {
        confirm = r;
      });
      let slowStarted = 0;
      const adapter = new ScriptedAdapter((target) => async () => {
        if (target.address.scheme !== "web" || target.address.clientId !== "slow") return;
        slowStarted++;
        target.written?.();
        await confirmed;
      });
      // One slot each for sending; the slow client may have three more waiting for its ack.
      const worker = await setup(t.store, adapter, {
        concurrency: 2,
        perTargetConcurrency: 1,
        perTargetAwaiting: 3,
      });
      try {
        const slow = await mails(t.store, web("slow"), 6);
        await worker.start();
        await until(
          "three waiting and a fourth in its slot",
          async () => slowStarted === 4,
          10_000,
        );
        const fast = await mails(t.store, web("fast"), 3);
        await until(
          "the other client's messages delivered past the silent one",
          async () => adapter.sent.filter((s) => s.target.address.scheme === "web").length === 3,
          10_000,
        );
        // Polls go on every 10 ms: none takes a fifth delivery to the client that never acks.
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(slowStarted, 4, "the silent client took more than its places");
        confirm();
        await until(
          "all delivered once the client confirms",
          () => allDelivered(t.store, [...slow, ...fast]),
          10_000,
        );
        assert.equal(slowStarted, 6, "a delivery ran twice");
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("the id a mail relay gives is the communication's for replies; a web client's stays on its delivery", async () => {
      const t = await dialect.open();
      const adapter = new ScriptedAdapter(() => "ok");
      const worker = await setup(t.store, adapter);
      try {
        const c = testCommunication();
        const rows = await t.store.communications.insertWithDeliveries(c, [
          { target: web("desk") },
          { target: "mailto:alice@example.com" },
        ]);
        await worker.start();
        await until("both delivered", () => allDelivered(t.store, rows), 10_000);
        const mail = rows.find((r) => r.target.startsWith("mailto:"))!;
        const desk = rows.find((r) => r.target.startsWith("web:"))!;
        assert.equal((await t.store.outbox.get(desk.id))?.nativeId, `native-${desk.id}`);
        const ids = await t.store.communications.nativeIdsOf(c.id);
        assert.ok(
          ids.some((i) => i.system === "email" && i.nativeId === `native-${mail.id}`),
          JSON.stringify(ids),
        );
        assert.ok(!ids.some((i) => i.nativeId === `native-${desk.id}`), JSON.stringify(ids));
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("a delivery that outlasts the lease keeps it: renewed, and never run twice", async () => {
      const t = await dialect.open();
      let sends = 0;
      const adapter = new ScriptedAdapter(() => async () => {
        sends++;
        // Four leases long, like a long message played by phone.
        await new Promise((r) => setTimeout(r, 1200));
      });
      const worker = await setup(t.store, adapter, { leaseMs: 300 });
      try {
        const [row] = await t.store.communications.insertWithDeliveries(testCommunication(), [
          { target: web("phone") },
        ]);
        await worker.start();
        await until("the send under way", async () => sends === 1, 10_000);
        const first = (await t.store.outbox.get(row!.id))?.leaseUntil?.getTime() ?? 0;
        // Another node polls for lapsed leases: the renewals keep pushing this one out.
        await until(
          "a renewed lease",
          async () => ((await t.store.outbox.get(row!.id))?.leaseUntil?.getTime() ?? 0) > first,
          10_000,
        );
        await until(
          "delivered",
          async () => (await t.store.outbox.get(row!.id))?.state === "delivered",
          10_000,
        );
        assert.equal(sends, 1);
        assert.equal(await t.store.outbox.renewLease(row!.id, new Date()), false, "not inflight");
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("retries a failing target with backoff, then fails it with the reason", async () => {
      const t = await dialect.open();
      const attempts = new Map<string, number>();
      const adapter = new ScriptedAdapter((target) => {
        const n = (attempts.get(target.deliveryId) ?? 0) + 1;
        attempts.set(target.deliveryId, n);
        const addr = formatAddress(target.address);
        if (addr.endsWith("/flaky")) return n < 3 ? new Error(`relay busy ${n}`) : "ok";
        // A typed error that may pass is retried like an untyped one, not failed at once.
        if (addr.endsWith("/ports"))
          return n < 2 ? new RtpPortsExhaustedError({ min: 20000, max: 20002 }, 2) : "ok";
        return new Error("connection refused");
      });
      const worker = await setup(t.store, adapter);
      try {
        const [dead, flaky, ports] = await t.store.communications.insertWithDeliveries(
          testCommunication(),
          [{ target: web("dead") }, { target: web("flaky") }, { target: web("ports") }],
        );
        await worker.start();
        await until(
          "failed",
          async () => (await t.store.outbox.get(dead!.id))?.state === "failed",
          10_000,
        );
        await until(
          "delivered",
          async () => (await t.store.outbox.get(flaky!.id))?.state === "delivered",
          10_000,
        );
        const failed = await t.store.outbox.get(dead!.id);
        assert.equal(failed?.attempts, 3);
        assert.match(failed?.lastError ?? "", /connection refused/);
        assert.equal((await t.store.outbox.get(flaky!.id))?.attempts, 3);
        await until(
          "delivered after the ports freed",
          async () => (await t.store.outbox.get(ports!.id))?.state === "delivered",
        );
        assert.equal((await t.store.outbox.get(ports!.id))?.attempts, 2);
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("a target's Retry-After puts the next attempt off that long, up to the longest backoff", async () => {
      const t = await dialect.open();
      const adapter = new ScriptedAdapter((target) =>
        formatAddress(target.address).endsWith("/patient")
          ? new DeliveryError("slow down", false, { retryAfterMs: 30_000 })
          : new DeliveryError("slow down", false, { retryAfterMs: 10 * 86_400_000 }),
      );
      const worker = await setup(t.store, adapter, { backoffBaseMs: 5, backoffMaxMs: 60_000 });
      try {
        const rows = await t.store.communications.insertWithDeliveries(testCommunication(), [
          { target: web("patient") },
          { target: web("greedy") },
        ]);
        const [patient, greedy] = ["patient", "greedy"].map((c) =>
          rows.find((r) => r.target === web(c)),
        );
        const before = Date.now();
        await worker.start();
        const retried = async (id: string) => {
          const d = await t.store.outbox.get(id);
          return d?.state === "pending" && d.attempts === 1 ? d : undefined;
        };
        const p = await until("the first retry is set", () => retried(patient!.id), 10_000);
        const g = await until("the second retry is set", () => retried(greedy!.id), 10_000);
        const waits = [p, g].map((d) => (d.nextAttemptAt?.getTime() ?? 0) - before);
        assert.ok(waits[0]! >= 30_000 && waits[0]! < 40_000, `patient waits ${waits[0]} ms`);
        // Ten days asked: capped at backoffMaxMs, so a target cannot park a delivery for ever.
        assert.ok(waits[1]! >= 59_000 && waits[1]! <= 70_000, `greedy waits ${waits[1]} ms`);
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("a permanent error fails at once; a target without adapter fails with the reason", async () => {
      const t = await dialect.open();
      const adapter = new ScriptedAdapter(() => new DeliveryError("550 no such mailbox", true));
      const worker = await setup(t.store, adapter);
      try {
        const [mail, tel] = await t.store.communications.insertWithDeliveries(testCommunication(), [
          { target: "mailto:bob@example.net" },
          { target: "tel:+15551234" },
        ]);
        await worker.start();
        await until(
          "mail failed",
          async () => (await t.store.outbox.get(mail!.id))?.state === "failed",
          10_000,
        );
        await until(
          "tel failed",
          async () => (await t.store.outbox.get(tel!.id))?.state === "failed",
          10_000,
        );
        assert.equal((await t.store.outbox.get(mail!.id))?.attempts, 1);
        assert.match(
          (await t.store.outbox.get(tel!.id))?.lastError ?? "",
          /no adapter can send to tel/,
        );
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("an unavailable target is held, and delivered once released", async () => {
      const t = await dialect.open();
      const adapter: ScriptedAdapter = new ScriptedAdapter(
        (): Outcome => (adapter.available ? "ok" : new TargetUnavailableError("offline")),
      );
      const worker = await setup(t.store, adapter);
      try {
        const [row] = await t.store.communications.insertWithDeliveries(testCommunication(), [
          { target: web("web") },
        ]);
        await worker.start();
        await until(
          "held",
          async () => (await t.store.outbox.get(row!.id))?.state === "held",
          10_000,
        );
        adapter.available = true;
        await worker.release(web("web"));
        await until(
          "delivered",
          async () => (await t.store.outbox.get(row!.id))?.state === "delivered",
          10_000,
        );
        assert.equal(adapter.sent.length, 1);
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("a target that came back while the hold was written is not missed", async () => {
      const t = await dialect.open();
      let first = true;
      const adapter: ScriptedAdapter = new ScriptedAdapter((): Outcome => {
        if (!first) return "ok";
        first = false;
        adapter.available = true; // it reconnects right after refusing
        return new TargetUnavailableError("offline");
      });
      const worker = await setup(t.store, adapter);
      try {
        const [row] = await t.store.communications.insertWithDeliveries(testCommunication(), [
          { target: web("web") },
        ]);
        await worker.start();
        await until(
          "delivered",
          async () => (await t.store.outbox.get(row!.id))?.state === "delivered",
          10_000,
        );
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("restart resumes deliveries left inflight, and held ones expire after their time", async () => {
      const t = await dialect.open();
      const adapter = new ScriptedAdapter(() => "ok");
      const worker = await setup(t.store, adapter);
      try {
        const [row] = await t.store.communications.insertWithDeliveries(testCommunication(), [
          { target: web("web") },
        ]);
        // A worker of a process that then died took it.
        const claimed = await t.store.outbox.claimDue(new Date(), 10, 60_000);
        assert.equal(claimed.length, 1);
        const [old] = await t.store.communications.insertWithDeliveries(testCommunication(), [
          { target: web("gone"), expiresAt: new Date(Date.now() - 1000) },
        ]);
        await t.store.outbox.hold(old!.id, "offline", new Date(Date.now() - 1000));
        await worker.start();
        await until(
          "delivered",
          async () => (await t.store.outbox.get(row!.id))?.state === "delivered",
          10_000,
        );
        await until(
          "expired",
          async () => (await t.store.outbox.get(old!.id))?.state === "expired",
          10_000,
        );
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("a node starting in a cluster leaves another node's delivery under way alone, and takes a dead node's once its lease lapses", async () => {
      const t = await dialect.open();
      const sends = new Map<string, number>();
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const counting = () =>
        new ScriptedAdapter((target) => async () => {
          sends.set(target.deliveryId, (sends.get(target.deliveryId) ?? 0) + 1);
          if (target.address.scheme === "web" && target.address.clientId === "busy") await gate;
        });
      const live = await setup(t.store, counting(), { clustered: true });
      const starting = new OutboxWorker({
        store: t.store,
        adapters: new AdapterRegistry().register(counting()),
        converters: defaultConverters(TEST_CONVERTER_DEPS),
        logger: pino({ level: "silent" }),
        options: { ...OPTIONS, clustered: true },
      });
      try {
        const [busy] = await t.store.communications.insertWithDeliveries(testCommunication(), [
          { target: web("busy") },
        ]);
        await live.start();
        await until("the live node's send under way", async () => sends.get(busy!.id) === 1);
        // A node that was killed had claimed this one; its lease runs out on its own.
        const [orphan] = await t.store.communications.insertWithDeliveries(testCommunication(), [
          { target: web("orphan"), claimedUntil: new Date(Date.now() + 300) },
        ]);
        await starting.start();
        const row = await t.store.outbox.get(busy!.id);
        assert.equal(row?.state, "inflight", "the live node's delivery was taken from it");
        assert.equal(row?.attempts, 1, "the live node's delivery was claimed again");
        await until(
          "the dead node's delivery taken over",
          async () => (await t.store.outbox.get(orphan!.id))?.state === "delivered",
          10_000,
        );
        release();
        await until(
          "the live node's delivery done",
          async () => (await t.store.outbox.get(busy!.id))?.state === "delivered",
          10_000,
        );
        assert.equal(sends.get(busy!.id), 1);
        assert.equal(sends.get(orphan!.id), 1);
      } finally {
        release();
        await starting.stop();
        await live.stop();
        await t.cleanup();
      }
    });

    test("render takes the route options stored with the delivery, not today's profile", async () => {
      const t = await dialect.open();
      const seen: RouteOptions[] = [];
      const converters = defaultConverters(TEST_CONVERTER_DEPS);
      const recording = new ConverterRegistry().register("text", "chat", async (c, p, r) => {
        seen.push(r);
        return converters.convert(c, { scheme: "web", userId: "alice", clientId: "x" }, p, r);
      });
      const adapter = new ScriptedAdapter(() => "ok");
      const worker = await setup(t.store, adapter, {}, recording);
      try {
        await t.store.users.update("alice", {
          ...defaultProfile("alice"),
          routes: [{ from: "email", to: ["im"], voice: "en-us" }],
        });
        const rows = await t.store.communications.insertWithDeliveries(testCommunication(), [
          { target: web("a"), route: { voice: "en-gb", transcribe: false } },
          // A row from before route options were stored: matched against the profile.
          { target: web("b") },
        ]);
        await worker.start();
        await until("both delivered", async () => {
          const all = await Promise.all(rows.map((r) => t.store.outbox.get(r.id)));
          return all.every((d) => d?.state === "delivered");
        });
        assert.deepEqual(seen.map((r) => r.voice).sort(), ["en-gb", "en-us"]);
        assert.deepEqual(
          seen.find((r) => r.voice === "en-gb"),
          {
            voice: "en-gb",
            transcribe: false,
          },
        );
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });

    test("a rendition is computed once and shared by the deliveries that need it", async () => {
      const t = await dialect.open();
      let conversions = 0;
      const converters = defaultConverters(TEST_CONVERTER_DEPS);
      const counting = new ConverterRegistry().register("text", "chat", async (c, p, r) => {
        conversions++;
        return converters.convert(c, { scheme: "web", userId: "alice", clientId: "x" }, p, r);
      });
      const adapter = new ScriptedAdapter(() => "ok");
      const worker = await setup(t.store, adapter, {}, counting);
      try {
        const rows = await t.store.communications.insertWithDeliveries(testCommunication(), [
          { target: web("a") },
          { target: web("b") },
          { target: web("c") },
        ]);
        await worker.start();
        await until("delivered", () => allDelivered(t.store, rows), 10_000);
        assert.equal(conversions, 1);
        assert.equal(new Set(adapter.sent.map((s) => s.rendition)).size, 1);
      } finally {
        await worker.stop();
        await t.cleanup();
      }
    });
  });
}

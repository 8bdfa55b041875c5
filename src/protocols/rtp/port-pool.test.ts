import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { test } from "node:test";
import { parsePortRange, RtpPortPool, RtpPortsExhaustedError } from "./port-pool.ts";

// A random even base above Linux's ephemeral range (32768–60999), so parallel runs rarely meet.
function randomRange(width: number): { min: number; max: number } {
  const min = 61000 + 2 * Math.floor(Math.random() * 2000);
  return { min, max: min + width - 1 };
}

function bindForeign(port: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    s.once("error", () => {
      s.close();
      resolve(null);
    });
    s.bind(port, "127.0.0.1", () => resolve(s));
  });
}

test("parsePortRange accepts a range and rejects nonsense", () => {
  assert.deepEqual(parsePortRange("20000-29999"), { min: 20000, max: 29999 });
  for (const bad of ["", "20000", "0-10", "30000-20000", "1-70000", "x-y", "21-21"]) {
    assert.throws(() => parsePortRange(bad), RangeError, bad);
  }
});

test("hands out even ports, exhausts with a typed error, and reuses a port after close", async () => {
  const range = randomRange(7); // min is even: min, min+2, min+4, min+6
  const pool = new RtpPortPool({ range, host: "127.0.0.1" });
  assert.equal(pool.capacity, 4);
  const leases = [];
  for (;;) {
    try {
      leases.push(await pool.allocate());
    } catch (error) {
      assert.ok(error instanceof RtpPortsExhaustedError);
      assert.equal(error.code, "OMNIVOX_ERR_RTP_PORTS_EXHAUSTED");
      break;
    }
  }
  assert.ok(leases.length >= 1 && leases.length <= 4, `${leases.length} leased`);
  assert.equal(pool.inUse, leases.length);
  for (const l of leases) {
    assert.equal(l.port % 2, 0);
    assert.ok(l.port >= range.min && l.port <= range.max);
    assert.equal(l.socket.address().port, l.port);
  }
  assert.equal(new Set(leases.map((l) => l.port)).size, leases.length);
  const freed = leases[0]!;
  freed.release();
  freed.release(); // idempotent
  await new Promise((r) => setImmediate(r));
  assert.equal(pool.inUse, leases.length - 1);
  const again = await pool.allocate();
  assert.equal(again.port, freed.port);
  await assert.rejects(pool.allocate(), RtpPortsExhaustedError);
  again.release();
  for (const l of leases.slice(1)) l.socket.close(); // closing the socket itself also frees
  await new Promise((r) => setImmediate(r));
  assert.equal(pool.inUse, 0);
});

test("skips a port another process holds", async () => {
  let foreign: Socket | null = null;
  let range = randomRange(4);
  for (let i = 0; i < 20 && foreign === null; i++) {
    range = randomRange(4);
    foreign = await bindForeign(range.min);
  }
  assert.ok(foreign, "could not occupy a port for the test");
  const pool = new RtpPortPool({ range, host: "127.0.0.1" });
  const lease = await pool.allocate();
  assert.equal(lease.port, range.min + 2);
  await assert.rejects(pool.allocate(), RtpPortsExhaustedError);
  lease.release();
  foreign.close();
});

test("a bad host is reported, not taken for a busy port", async () => {
  const pool = new RtpPortPool({ range: randomRange(4), host: "192.0.2.1" });
  await assert.rejects(pool.allocate(), (e: NodeJS.ErrnoException) => e.code === "EADDRNOTAVAIL");
  assert.equal(pool.inUse, 0);
});

test("leases count against their owner from the moment they are asked for until released", async () => {
  const base = 41_000 + Math.floor(Math.random() * 500) * 8;
  const pool = new RtpPortPool({ range: `${base}-${base + 7}`, host: "127.0.0.1" });
  const pending = [pool.allocate(undefined, "192.0.2.1"), pool.allocate(undefined, "192.0.2.1")];
  assert.equal(pool.heldBy("192.0.2.1"), 2, "counted while still binding");
  const other = await pool.allocate(undefined, "192.0.2.2");
  const leases = await Promise.all(pending);
  assert.equal(pool.heldBy("192.0.2.1"), 2);
  assert.equal(pool.heldBy("192.0.2.2"), 1);
  leases[0]!.release();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(pool.heldBy("192.0.2.1"), 1);
  leases[1]!.release();
  other.release();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(pool.heldBy("192.0.2.1"), 0);
  assert.equal(pool.inUse, 0);
});

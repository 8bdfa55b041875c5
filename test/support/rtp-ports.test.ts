import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { allocateRtpPorts } from "./rtp-ports.ts";

const LOCKS = join(tmpdir(), "omnivox-rtp-ports");
const MODULE = new URL("./rtp-ports.ts", import.meta.url).href;

function overlap(a: { min: number; max: number }, b: { min: number; max: number }): boolean {
  return a.min <= b.max && b.min <= a.max;
}

/** A second process that holds a range until its stdin closes; resolves with the range. */
function holder(): Promise<{ min: number; max: number; exit: () => Promise<void> }> {
  const script = `import { allocateRtpPorts } from ${JSON.stringify(MODULE)};
const r = allocateRtpPorts(60);
console.log(JSON.stringify({ min: r.min, max: r.max }));
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout.once("data", (d: Buffer) => {
      const r = JSON.parse(d.toString()) as { min: number; max: number };
      resolve({
        ...r,
        exit: async () => {
          child.stdin.end();
          await exited;
        },
      });
    });
  });
}

test("ranges are even-based, at least the size asked, and never shared in one process", () => {
  const a = allocateRtpPorts(10);
  const b = allocateRtpPorts(45);
  try {
    assert.equal(a.min % 2, 0);
    assert.ok(a.max - a.min + 1 >= 10);
    assert.ok(b.max - b.min + 1 >= 45);
    assert.ok(!overlap(a, b), `${a.range} overlaps ${b.range}`);
    assert.ok(a.max < 32768 && b.max < 32768, "below the kernel's ephemeral ports");
  } finally {
    a.release();
    b.release();
  }
});

test("a range held by another live process is not handed out, and is freed when it exits", async () => {
  const other = await holder();
  const mine = Array.from({ length: 20 }, () => allocateRtpPorts(60));
  try {
    for (const r of mine)
      assert.ok(!overlap(r, other), `${r.range} overlaps ${other.min}-${other.max}`);
  } finally {
    for (const r of mine) r.release();
  }
  const firstBlock = (other.min - 10_000) / 20;
  assert.ok(existsSync(join(LOCKS, `${firstBlock}.lock`)));
  await other.exit();
  assert.ok(!existsSync(join(LOCKS, `${firstBlock}.lock`)), "the exit hook removes its locks");
});

test("a lock left by a process that died is taken over", () => {
  const probe = allocateRtpPorts(20);
  const block = (probe.min - 10_000) / 20;
  probe.release();
  // No process has pid 2^22 + 1 (above Linux's pid_max default): the lock is stale.
  writeFileSync(join(LOCKS, `${block}.lock`), String(4_194_305));
  const again = allocateRtpPorts(20);
  try {
    assert.equal(again.min, probe.min);
  } finally {
    again.release();
  }
});

// RTP port ranges for tests and benches (`sip.rtpPorts`), handed out so that test files running in
// parallel processes never share one: each block of ports is claimed by a lock file created with
// O_EXCL in the temp dir, naming the claiming pid, and freed when that process ends.

import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Below the kernel's ephemeral ports (Linux default 32768-60999), so no port-0 listener, sipp
 * media port or client socket of another test lands inside a range handed out here.
 */
const FIRST = 10_000;
const END = 32_760;
/** Ports per block: an even number, so every range starts on an RTP (even) port. */
const BLOCK = 20;
const BLOCKS = Math.floor((END - FIRST) / BLOCK);
const LOCKS = join(tmpdir(), "omnivox-rtp-ports");

export interface RtpPortRange {
  /** "min-max" as `sip.rtpPorts` takes it. */
  range: string;
  min: number;
  max: number;
  /** Frees the range for other test files; also done when this process exits. */
  release(): void;
}

const held = new Set<string>();
let exitHookInstalled = false;

function lockPath(block: number): string {
  return join(LOCKS, `${block}.lock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Claims one block; a lock left by a process that has died is taken over. */
function claim(block: number): boolean {
  const path = lockPath(block);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(path, "utf8"));
    } catch {
      continue; // released between our open and read: try again
    }
    // An empty file is a claim being written right now, not a stale one.
    if (!Number.isInteger(owner) || owner === 0 || alive(owner)) return false;
    try {
      unlinkSync(path);
    } catch {}
  }
  return false;
}

function unclaim(block: number): void {
  const path = lockPath(block);
  held.delete(path);
  try {
    unlinkSync(path);
  } catch {}
}

/**
 * A range of at least `ports` ports (rounded up to whole blocks) that no other live test process
 * holds. Throws when every block is taken, which means ranges are leaking.
 */
export function allocateRtpPorts(ports = BLOCK): RtpPortRange {
  mkdirSync(LOCKS, { recursive: true });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const path of held) {
        try {
          unlinkSync(path);
        } catch {}
      }
    });
  }
  const blocks = Math.max(1, Math.ceil(ports / BLOCK));
  // Processes start their search at different blocks so they rarely contend for the same files.
  const start = (process.pid * 7) % BLOCKS;
  for (let i = 0; i < BLOCKS; i++) {
    const first = (start + i) % BLOCKS;
    if (first + blocks > BLOCKS) continue;
    const taken: number[] = [];
    for (let b = first; b < first + blocks && claim(b); b++) taken.push(b);
    if (taken.length === blocks) {
      const min = FIRST + first * BLOCK;
      const max = min + blocks * BLOCK - 1;
      let released = false;
      return {
        range: `${min}-${max}`,
        min,
        max,
        release() {
          if (released) return;
          released = true;
          for (const b of taken) unclaim(b);
        },
      };
    }
    for (const b of taken) unclaim(b);
  }
  throw new Error(`no free block of ${blocks * BLOCK} RTP ports in ${FIRST}-${END} (${LOCKS})`);
}

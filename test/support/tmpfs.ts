// A really full disk for tests: a small tmpfs mounted on a fresh temp dir (needs root, as CI
// runs), filled to the last byte by a filler file that `free()` removes. Where mounting is not
// permitted the test is skipped with the reason; with OMNIVOX_REQUIRE_PEERS=1 it fails instead.

import { execFile } from "node:child_process";
import { mkdtemp, open, rm, rmdir, statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface SmallDisk {
  dir: string;
  /** Bytes free for a writer now (statfs). */
  freeBytes(): Promise<number>;
  /** Writes a filler until the disk refuses (ENOSPC), leaving `leaveBytes` or less free. */
  fill(leaveBytes?: number): Promise<void>;
  /** Removes the filler. */
  free(): Promise<void>;
  unmount(): Promise<void>;
}

/** Mounts a tmpfs of `bytes`; `{ skip }` with the reason when this machine does not allow it. */
export async function mountSmallDisk(
  bytes: number,
): Promise<{ disk: SmallDisk; skip?: undefined } | { disk?: undefined; skip: string }> {
  const dir = await mkdtemp(join(tmpdir(), "omnivox-fulldisk-"));
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${bytes},mode=0755`, "tmpfs", dir]);
  } catch (err) {
    await rmdir(dir).catch(() => {});
    const reason = `cannot mount a tmpfs for a full disk (needs root and mount permission): ${(err as Error).message.split("\n")[0]}`;
    if (process.env.OMNIVOX_REQUIRE_PEERS === "1") throw new Error(reason);
    return { skip: reason };
  }
  const filler = join(dir, "filler");
  const freeBytes = async () => {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  };
  return {
    disk: {
      dir,
      freeBytes,
      async fill(leaveBytes = 0) {
        const handle = await open(filler, "a");
        const block = Buffer.alloc(1024 * 1024, 0x5a);
        try {
          for (;;) {
            const room = (await freeBytes()) - leaveBytes;
            if (room <= 0) break;
            // Large writes while there is room, pages at the end (tmpfs counts whole pages).
            await handle.write(block, 0, room > block.length ? block.length : Math.min(4096, room));
          }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
        } finally {
          await handle.close();
        }
      },
      async free() {
        await rm(filler, { force: true });
      },
      async unmount() {
        await run("umount", ["-l", dir]).catch(() => {});
        await rmdir(dir).catch(() => {});
      },
    },
  };
}

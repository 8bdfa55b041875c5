// Writes the ports the listeners actually bound (port 0 picks a free one) to dataDir/ports.json,
// so that tools and tests started beside omnivox can find it.

import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface BoundAddress {
  host: string;
  port: number;
}

export type BoundPorts = Record<string, BoundAddress>;

export async function writePortsFile(dataDir: string, ports: BoundPorts): Promise<string> {
  const file = join(dataDir, "ports.json");
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(ports, null, 2)}\n`);
  await rename(tmp, file);
  return file;
}

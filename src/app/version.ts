// The version omnivox reports of itself (the User-Agent of webhook requests): package.json's, read
// once, so a release needs no second place to change.

import { readFileSync } from "node:fs";
import { z } from "zod";

const packageJson = z.object({ version: z.string().min(1) });

export const VERSION = packageJson.parse(
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")),
).version;

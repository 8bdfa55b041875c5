// `omnivox user add --pin`: a PIN shorter than voicemail.minPinLength is refused naming the rule
// and nothing is created; a long enough one is stored hashed.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseConfig } from "../config/load.ts";
import { ValidationError } from "../core/errors.ts";
import { openStore } from "../store/open.ts";
import { verifySecret } from "../store/secrets.ts";
import { runUser } from "./user.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnivox-cli-user-"));
});
after(() => rm(dir, { recursive: true, force: true }));

test("user add refuses a PIN below voicemail.minPinLength and stores a longer one hashed", async () => {
  const config = parseConfig({ dataDir: dir });
  await assert.rejects(
    runUser(config, "add", ["dave"], { pin: "1234" }),
    (e: unknown) =>
      e instanceof ValidationError &&
      /pin: must be at least 6 digits \(voicemail\.minPinLength\)/.test(e.message),
  );
  const log = console.log;
  console.log = () => undefined;
  try {
    assert.equal(await runUser(config, "add", ["erin"], { pin: "975310" }), 0);
    const lax = parseConfig({ dataDir: dir, voicemail: { minPinLength: 4 } });
    assert.equal(await runUser(lax, "add", ["fred"], { pin: "1234" }), 0);
  } finally {
    console.log = log;
  }
  const store = await openStore({ database: "sqlite", dataDir: dir });
  try {
    assert.equal(await store.users.get("dave"), undefined);
    const hash = (await store.users.get("erin"))?.secrets.pinHash ?? "";
    assert.equal(await verifySecret("975310", hash), true);
    assert.ok((await store.users.get("fred"))?.secrets.pinHash);
  } finally {
    await store.close();
  }
});

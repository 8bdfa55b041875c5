import assert from "node:assert/strict";
import { test } from "node:test";
import { startTestServer } from "../../../test/support/http-app.ts";

test("/healthz is 200 ok, 503 degraded with the storage reasons, 200 again when it clears", async () => {
  const storage = { degraded: false, reasons: [] as string[] };
  const s = await startTestServer({ deps: { storage: () => storage } });
  try {
    let res = await s.call("GET", "/healthz");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      ok: true,
      status: "ok",
      checks: { store: true, storage: true },
    });

    storage.degraded = true;
    storage.reasons = ["low disk space: /data has 10 bytes free, below storage.minFreeBytes 64"];
    res = await s.call("GET", "/healthz");
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), {
      ok: false,
      status: "degraded",
      checks: { store: true, storage: false },
      reasons: storage.reasons,
    });

    storage.degraded = false;
    storage.reasons = [];
    res = await s.call("GET", "/healthz");
    assert.equal(res.status, 200);
  } finally {
    await s.close();
  }
});

test("/healthz names a failed store check among its reasons", async () => {
  const s = await startTestServer();
  try {
    s.health.store = false;
    const res = await s.call("GET", "/healthz");
    assert.equal(res.status, 503);
    const body = (await res.json()) as { status: string; reasons: string[] };
    assert.equal(body.status, "degraded");
    assert.deepEqual(body.reasons, ["store: check failed"]);
  } finally {
    await s.close();
  }
});

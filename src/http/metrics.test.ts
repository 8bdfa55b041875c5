import assert from "node:assert/strict";
import { test } from "node:test";
import { createMetrics } from "./metrics.ts";

test("connections per listener are counted at scrape time; throttles are counted by reason", async () => {
  const metrics = createMetrics({
    outbox: { countByState: async () => [] },
    processMetrics: false,
  });
  let smtp = 3;
  metrics.countConnections("smtp", () => smtp);
  metrics.countConnections("http", async () => 7);
  metrics.countConnections("broken", () => {
    throw new Error("gone");
  });
  metrics.throttled.inc({ listener: "smtp", reason: "per-source" });
  metrics.throttled.inc({ listener: "smtp", reason: "per-source" });
  let text = await metrics.registry.metrics();
  assert.match(text, /^omnivox_connections\{listener="smtp"\} 3$/m);
  assert.match(text, /^omnivox_connections\{listener="http"\} 7$/m);
  assert.doesNotMatch(text, /listener="broken"/, "a failing count is left out, not fatal");
  assert.match(text, /^omnivox_throttled_total\{listener="smtp",reason="per-source"\} 2$/m);
  smtp = 1;
  text = await metrics.registry.metrics();
  assert.match(text, /^omnivox_connections\{listener="smtp"\} 1$/m);
});

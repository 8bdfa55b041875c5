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

test("throttle counts kept elsewhere are added as they grow; event-loop lag is exposed", async () => {
  const metrics = createMetrics({
    outbox: { countByState: async () => [] },
    processMetrics: false,
  });
  const counts = { rate: 0, banned: 0 };
  metrics.countThrottled("sip", () => counts);
  counts.rate = 5;
  let text = await metrics.registry.metrics();
  assert.match(text, /^omnivox_throttled_total\{listener="sip",reason="rate"\} 5$/m);
  counts.rate = 12;
  counts.banned = 1;
  text = await metrics.registry.metrics();
  assert.match(text, /^omnivox_throttled_total\{listener="sip",reason="rate"\} 12$/m);
  assert.match(text, /^omnivox_throttled_total\{listener="sip",reason="banned"\} 1$/m);
  assert.match(text, /^omnivox_event_loop_lag_seconds \d/m);
  metrics.close();
});

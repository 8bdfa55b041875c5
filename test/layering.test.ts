// The dependency direction of docs/architecture.md "Layers", read from the code: every static
// import, `export … from` and literal dynamic `import("…")` of a production file under src/ (tests
// excluded) is checked against the arrows the design forbids, and the top-level folders must not
// import in a cycle.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";

const root = resolve(import.meta.dirname, "..");

/** One import: the importing file and the file it names, both relative to the repository. */
export interface ImportArrow {
  from: string;
  to: string;
  /** The specifier as written. */
  spec: string;
}

/** Where a path sits: `adapters/<system>` for adapters, else its first folder under src/. */
function unitOf(path: string): string | undefined {
  const parts = path.split("/");
  if (parts[0] === "test" || parts[0] === "bench") return parts[0];
  if (parts[0] !== "src" || parts.length < 3) return undefined;
  return parts[1] === "adapters" ? `adapters/${parts[2]}` : parts[1];
}

const topOf = (unit: string): string => unit.split("/")[0]!;

/**
 * What each floor may import besides itself (docs/architecture.md "Layers"); undefined: no rule
 * beyond the common ones.
 */
const ALLOWED: Record<string, readonly string[] | undefined> = {
  core: [],
  media: ["core"],
  speech: ["core", "media"],
  protocols: ["core", "media"],
  // The cluster floor (docs/cluster.md) carries core's events over NATS; app wires it.
  cluster: ["core"],
};

/** What an adapter and the gateway must never import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  adapters: ["store", "config", "app", "http", "gateway", "cli"],
  gateway: ["adapters", "http", "app", "cli"],
};

/** Why the arrow is forbidden, or undefined when docs/architecture.md "Layers" allows it. */
export function forbidden(arrow: ImportArrow): string | undefined {
  const from = unitOf(arrow.from);
  const to = unitOf(arrow.to);
  if (!from || !to || from === to) return undefined;
  if (to === "test" || to === "bench") return `src must not import ${to}/`;
  const [fromTop, toTop] = [topOf(from), topOf(to)];
  if (fromTop === "adapters" && toTop === "adapters")
    return `an adapter must not import another adapter (${to})`;
  const allowed = ALLOWED[fromTop];
  if (allowed && !allowed.includes(toTop))
    return `${fromTop} may import only ${allowed.length ? allowed.join(", ") : "nothing of ours"}`;
  if (FORBIDDEN[fromTop]?.includes(toTop)) return `${fromTop} must not import ${toTop}`;
  return undefined;
}

/** Cycles between top-level folders (adapters counted as one), each as the path round. */
export function folderCycles(arrows: readonly ImportArrow[]): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const a of arrows) {
    const [from, to] = [unitOf(a.from), unitOf(a.to)];
    if (!from || !to) continue;
    const [f, t] = [topOf(from), topOf(to)];
    if (f === t) continue;
    if (!edges.has(f)) edges.set(f, new Set());
    edges.get(f)!.add(t);
  }
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const walk = (node: string, path: string[]): void => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const cycle = path.slice(at);
      const key = [...cycle].sort().join(">");
      if (!seen.has(key)) {
        seen.add(key);
        cycles.push([...cycle, node]);
      }
      return;
    }
    for (const next of edges.get(node) ?? []) walk(next, [...path, node]);
  };
  for (const node of edges.keys()) walk(node, []);
  return cycles;
}

function productionFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...productionFiles(path));
    else if (/\.ts$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** The relative imports of every production file under src/, parsed by the TypeScript scanner. */
function importsOfSrc(): ImportArrow[] {
  const arrows: ImportArrow[] = [];
  for (const file of productionFiles(join(root, "src"))) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName: spec } of info.importedFiles) {
      if (!spec.startsWith(".")) continue;
      arrows.push({
        from: relative(root, file),
        to: relative(root, resolve(dirname(file), spec)),
        spec,
      });
    }
  }
  return arrows;
}

describe("layering (docs/architecture.md, Layers)", () => {
  test("the checker catches every kind of forbidden arrow", () => {
    const arrow = (from: string, to: string): ImportArrow => ({ from, to, spec: to });
    const bad = [
      arrow("src/core/profile.ts", "src/store/types.ts"),
      arrow("src/media/wav.ts", "src/protocols/rtp/packet.ts"),
      arrow("src/speech/tts/engine.ts", "src/gateway/convert/phone-audio.ts"),
      arrow("src/protocols/sip/endpoint.ts", "src/adapters/telephone/service.ts"),
      arrow("src/adapters/voicemail/store.ts", "src/adapters/telephone/mailbox.ts"),
      arrow("src/adapters/voicemail/store.ts", "src/store/secrets.ts"),
      arrow("src/adapters/email/index.ts", "src/config/schema.ts"),
      arrow("src/adapters/xmpp/adapter.ts", "src/app/logger.ts"),
      arrow("src/adapters/web/hub.ts", "src/http/server.ts"),
      arrow("src/adapters/web/hub.ts", "src/gateway/receiver.ts"),
      arrow("src/gateway/receiver.ts", "src/adapters/web/hub.ts"),
      arrow("src/gateway/receiver.ts", "src/app/omnivox.ts"),
      arrow("src/http/server.ts", "test/support/tmpfs.ts"),
      arrow("src/store/open.ts", "bench/run.ts"),
    ];
    for (const a of bad) assert.ok(forbidden(a), `${a.from} -> ${a.to} should be refused`);
    const good = [
      arrow("src/media/wav.ts", "src/core/errors.ts"),
      arrow("src/protocols/sip/usage/diversion.ts", "src/core/telephony.ts"),
      arrow("src/protocols/sip/endpoint.ts", "src/protocols/rtp/packet.ts"),
      arrow("src/adapters/telephone/service.ts", "src/protocols/sip/endpoint.ts"),
      arrow("src/adapters/telephone/adapter.ts", "src/core/ports.ts"),
      arrow("src/adapters/telephone/adapter.ts", "src/adapters/telephone/trunks.ts"),
      arrow("src/gateway/receiver.ts", "src/store/types.ts"),
      arrow("src/app/omnivox.ts", "src/adapters/web/hub.ts"),
      arrow("src/http/deps.ts", "src/adapters/icw/calls.ts"),
    ];
    for (const a of good) assert.equal(forbidden(a), undefined, `${a.from} -> ${a.to}`);
    assert.deepEqual(
      folderCycles([
        arrow("src/store/open.ts", "src/gateway/receiver.ts"),
        arrow("src/gateway/receiver.ts", "src/store/types.ts"),
        arrow("src/app/omnivox.ts", "src/store/open.ts"),
      ]),
      [["store", "gateway", "store"]],
    );
  });

  test("the import scanner sees static, re-exported and dynamic imports", () => {
    const info = ts.preProcessFile(
      [
        'import type { A } from "./a.ts";',
        'import { b } from "./b.ts";',
        'export { c } from "./c.ts";',
        'export * from "./d.ts";',
        'const e = await import("./e.ts");',
      ].join("\n"),
      true,
      true,
    );
    assert.deepEqual(
      info.importedFiles.map((f) => f.fileName),
      ["./a.ts", "./b.ts", "./c.ts", "./d.ts", "./e.ts"],
    );
  });

  const arrows = importsOfSrc();

  test("src/ has imports to check", () => {
    assert.ok(arrows.length > 500, `only ${arrows.length} imports found`);
  });

  test("no production file imports across a forbidden arrow", () => {
    const wrong = arrows.flatMap((a) => {
      const why = forbidden(a);
      return why ? [`${a.from} imports "${a.spec}": ${why}`] : [];
    });
    assert.deepEqual(wrong, []);
  });

  test("the top-level folders import in no cycle", () => {
    assert.deepEqual(
      folderCycles(arrows).map((c) => c.join(" -> ")),
      [],
    );
  });
});

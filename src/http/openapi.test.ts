// GET /api/v1/openapi.json against the running server: every route fastify registered under
// /api/v1 is in it with the same methods, it is a valid OpenAPI 3.1 document, the security it
// states is what the server enforces, and README's request examples fit its body schemas.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { TestServer } from "../../test/support/http-app.ts";
import { startTestServer } from "../../test/support/http-app.ts";
import type { OpenApiDocument } from "./openapi.ts";

const README = new URL("../../README.md", import.meta.url);

type Operation = {
  security?: unknown[];
  requestBody?: { content: { "application/json": { schema: object } } };
};

/** Method and path of every route, from fastify's own tree (`printRoutes`), prefixes joined. */
function routesOf(tree: string): Set<string> {
  const routes = new Set<string>();
  const stack: string[] = [];
  for (const line of tree.split("\n")) {
    const m = /^([\s│├└─]*)(\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m?.[2]) continue;
    const depth = (m[1] ?? "").length / 4;
    stack.length = depth;
    stack.push(m[2]);
    const path = stack.join("");
    for (const method of (m[3] ?? "").split(",").map((s) => s.trim())) {
      if (method) routes.add(`${method} ${path}`);
    }
  }
  return routes;
}

/** Each curl in README with a JSON body: its method, path and body. */
function curlExamples(readme: string): { method: string; path: string; body: unknown }[] {
  const commands = readme.replace(/\\\n/g, " ").split("\n");
  const examples = [];
  for (const command of commands) {
    if (!/^\s*curl\s/.test(command)) continue;
    const data = /\s-d\s+'([^']*)'/.exec(command)?.[1];
    const url = /\shttps?:\/\/\S+/.exec(command)?.[0];
    if (data === undefined || url === undefined) continue;
    examples.push({
      method: /\s-X\s+([A-Z]+)/.exec(command)?.[1] ?? "POST",
      path: new URL(url.trim()).pathname,
      body: JSON.parse(data),
    });
  }
  return examples;
}

/** The document's path template that a concrete path fits: /api/v1/users/alice → …/{id}. */
function templateOf(doc: OpenApiDocument, path: string): string {
  const fits = Object.keys(doc.paths).filter((template) => {
    const pattern = template.replace(/\{[^}]+\}/g, "[^/]+").replace(/\./g, "\\.");
    return new RegExp(`^${pattern}$`).test(path);
  });
  assert.equal(fits.length, 1, `${path} fits one documented path, not [${fits}]`);
  return fits[0] ?? "";
}

function operations(doc: OpenApiDocument): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]): [string, string, Operation] => [path, method, op]),
  );
}

describe("the OpenAPI document", () => {
  let t: TestServer;
  let doc: OpenApiDocument;

  before(async () => {
    t = await startTestServer();
    const res = await t.call("GET", "/api/v1/openapi.json");
    assert.equal(res.status, 200);
    doc = (await res.json()) as OpenApiDocument;
  });
  after(() => t.close());

  it("has every route registered under /api/v1, with the same methods", () => {
    const registered = [...routesOf(t.app.printRoutes({ commonPrefix: false }))]
      .filter((r) => r.split(" ")[1]?.startsWith("/api/v1/"))
      // Fastify answers HEAD for every GET; the document leaves it to GET (RFC 9110 §9.3.2).
      .filter((r, _, all) => !r.startsWith("HEAD ") || !all.includes(r.replace(/^HEAD/, "GET")))
      .sort();
    const documented = operations(doc)
      .map(([path, method]) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`)
      .sort();
    assert.ok(registered.length > 20, `the route tree was read: ${registered.length} routes`);
    assert.ok(registered.includes("GET /api/v1/stream"), "the WebSocket stream is registered");
    assert.deepEqual(documented, registered);
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    assert.equal(doc.openapi, "3.1.0");
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  it("documents the stream as a GET upgrade to a WebSocket", () => {
    const stream = doc.paths["/api/v1/stream"]?.get;
    assert.ok(stream);
    assert.deepEqual(Object.keys(stream.responses as object).sort(), ["101", "4XX", "5XX"]);
  });

  it("states the security the server enforces: 401 without a token exactly where it says", async () => {
    for (const [path, method, op] of operations(doc)) {
      const url = path.replace(/\{[^}]+\}/g, "x");
      const res = await t.call(method.toUpperCase(), url);
      await res.arrayBuffer();
      const secured = (op.security?.length ?? 0) > 0;
      assert.equal(res.status === 401, secured, `${method} ${path}: ${res.status}`);
    }
  });

  it("takes README's request bodies as valid for their routes", async () => {
    const examples = curlExamples(await readFile(README, "utf8"));
    assert.ok(examples.length >= 5, `README's curl examples were found: ${examples.length}`);
    // Formats are documentation here (the server's zod parse checks them); patterns and shapes count.
    const ajv = new Ajv2020({ strict: true, validateFormats: false });
    for (const { method, path, body } of examples) {
      const template = templateOf(doc, path);
      const op = doc.paths[template]?.[method.toLowerCase()] as Operation | undefined;
      const schema = op?.requestBody?.content["application/json"].schema;
      assert.ok(schema, `${method} ${template} has a JSON request body`);
      const validate = ajv.compile(schema);
      assert.equal(validate(body), true, `${method} ${path}: ${ajv.errorsText(validate.errors)}`);
    }
  });

  it("refuses what the server refuses, by the same schema: an unknown key in a body", () => {
    const op = doc.paths["/api/v1/users/{id}"]?.patch as Operation | undefined;
    const schema = op?.requestBody?.content["application/json"].schema;
    assert.ok(schema);
    const validate = new Ajv2020({ strict: true, validateFormats: false }).compile(schema);
    assert.equal(validate({ displayName: "Alice" }), true);
    assert.equal(validate({ displayName: "Alice", colour: "red" }), false);
  });
});

// Runs every RFC 4475 torture message in test/fixtures/rfc4475 against the expectations in its
// .json (written from the RFC text, independently of this parser).

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { parseAuthParams } from "./auth-params.ts";
import { parseCSeq, parseMaxForwards, parseNameAddr, parseVia } from "./header-values.ts";
import { parseMessage } from "./parser.ts";
import type { SipMessage } from "./types.ts";
import { parseUri } from "./uri.ts";

const dir = new URL("../../../../test/fixtures/rfc4475/", import.meta.url);

interface Expectation {
  section: string;
  valid: boolean;
  rfc: string;
  kind?: "request" | "response";
  method?: string;
  requestUri?: string;
  status?: number;
  reason?: string;
  callId?: string;
  vias?: number;
  contentLength?: number;
  cseq?: { seq: number; method: string };
  fromTag?: string;
  toTag?: string;
  fromDisplayName?: string;
  toDisplayName?: string;
  contacts?: number;
  contactParses?: boolean;
  contactUri?: string;
  contactParams?: Record<string, string | null>;
  contactUriParams?: Record<string, string | null>;
  contactUriHeaders?: Record<string, string>;
  requestUriUser?: string;
  requestUriPassword?: string;
  headers?: Record<string, string>;
  accepts?: number;
  viaTransports?: string[];
  viaBranch?: string;
  requires?: number;
  proxyRequires?: number;
  authScheme?: string;
  maxForwards?: number;
  rejectedAt?: string;
  canRespond?: boolean;
  error?: string;
}

const names = readdirSync(dir)
  .filter((f) => f.endsWith(".sip"))
  .map((f) => f.slice(0, -4))
  .sort();

test("fixture set covers RFC 4475 §3.1.1, §3.1.2, §3.2, §3.3 and §3.4 (49 messages)", () => {
  assert.equal(names.length, 49);
  for (const name of names) {
    assert.ok(readFileSync(new URL(`${name}.json`, dir)).length > 0, `${name}.json`);
  }
});

function checkValid(name: string, exp: Expectation, msg: SipMessage): void {
  const h = msg.headers;
  assert.equal(msg.kind, exp.kind, name);
  if (msg.kind === "request") {
    assert.equal(msg.method, exp.method);
    assert.equal(msg.uri, exp.requestUri);
  } else {
    assert.equal(msg.status, exp.status);
    assert.equal(msg.reason, exp.reason);
  }
  assert.equal(h.get("call-id"), exp.callId);
  assert.equal(h.count("via"), exp.vias);
  assert.equal(msg.body.length, exp.contentLength);
  for (const v of h.getAll("via")) assert.ok(parseVia(v), `${name}: Via ${v}`);
  const from = parseNameAddr(h.get("from") ?? "");
  const to = parseNameAddr(h.get("to") ?? "");
  assert.ok(from && to, `${name}: From/To`);
  if (exp.cseq) assert.deepEqual(parseCSeq(h.get("cseq") ?? ""), exp.cseq);
  if (exp.fromTag !== undefined) assert.equal(from.tag, exp.fromTag);
  if (exp.toTag !== undefined) assert.equal(to.tag, exp.toTag);
  if (exp.fromDisplayName !== undefined) assert.equal(from.displayName, exp.fromDisplayName);
  if (exp.toDisplayName !== undefined) assert.equal(to.displayName, exp.toDisplayName);
  if (exp.contacts !== undefined) assert.equal(h.count("contact"), exp.contacts);
  const contacts = h.getAll("m").map((c) => parseNameAddr(c));
  if (exp.contactParses === false) assert.equal(contacts[0], null, `${name}: Contact`);
  else for (const c of contacts) assert.ok(c, `${name}: Contact parses`);
  const contact = contacts[0];
  if (exp.contactUri !== undefined) assert.equal(contact?.uri, exp.contactUri);
  if (exp.contactParams) assert.deepEqual(Object.fromEntries(contact!.params), exp.contactParams);
  if (exp.contactUriParams || exp.contactUriHeaders) {
    const uri = parseUri(contact!.uri);
    assert.ok(uri);
    if (exp.contactUriParams)
      assert.deepEqual(Object.fromEntries(uri.params), exp.contactUriParams);
    if (exp.contactUriHeaders) {
      assert.deepEqual(Object.fromEntries(uri.headers), exp.contactUriHeaders);
    }
  }
  if (exp.requestUriUser !== undefined && msg.kind === "request") {
    const uri = parseUri(msg.uri);
    assert.equal(uri?.user, exp.requestUriUser);
    if (exp.requestUriPassword !== undefined) assert.equal(uri?.password, exp.requestUriPassword);
  }
  for (const [key, value] of Object.entries(exp.headers ?? {})) assert.equal(h.get(key), value);
  if (exp.accepts !== undefined) assert.equal(h.count("accept"), exp.accepts);
  if (exp.viaTransports) {
    assert.deepEqual(
      h.getAll("v").map((v) => parseVia(v)?.transport),
      exp.viaTransports,
    );
  }
  if (exp.viaBranch !== undefined) assert.equal(parseVia(h.get("via")!)?.branch, exp.viaBranch);
  if (exp.requires !== undefined) assert.equal(h.count("require"), exp.requires);
  if (exp.proxyRequires !== undefined) assert.equal(h.count("proxy-require"), exp.proxyRequires);
  if (exp.authScheme !== undefined) {
    assert.equal(parseAuthParams(h.get("authorization")!)?.scheme, exp.authScheme);
  }
  if (exp.maxForwards !== undefined) {
    assert.equal(parseMaxForwards(h.get("max-forwards")!), exp.maxForwards);
  }
}

for (const name of names) {
  const exp = JSON.parse(readFileSync(new URL(`${name}.json`, dir), "utf8")) as Expectation;
  test(`RFC 4475 §${exp.section} ${name}: ${exp.valid ? "accepted" : "rejected"}`, () => {
    const result = parseMessage(readFileSync(new URL(`${name}.sip`, dir)));
    if (exp.valid) {
      assert.ok(result.ok, result.ok ? "" : `${name}: ${result.error}`);
      checkValid(name, exp, result.message);
      return;
    }
    assert.equal(exp.rejectedAt, "parse");
    assert.equal(result.ok, false, `${name} should be rejected`);
    if (result.ok) return;
    assert.ok(
      result.error.toLowerCase().includes(exp.error!.toLowerCase()),
      `${name}: "${result.error}" should mention "${exp.error}"`,
    );
    assert.equal(result.status, exp.status, name);
    assert.equal(result.canRespond, exp.canRespond, name);
    if (result.canRespond) {
      assert.ok(result.partial, name);
      assert.ok(result.partial.headers.get("via"), `${name}: Via salvaged`);
    }
  });
}

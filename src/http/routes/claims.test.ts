// Self-service claims over real HTTP with a capturing code sender: off by default (403), on with
// addresses.selfClaim: the code goes to the address, never to the claimant; a confirmed JID or
// email joins the profile; taken and foreign addresses are refused; wrong codes are throttled.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TestServer } from "../../../test/support/http-app.ts";
import { ADMIN_TOKEN, startTestServer } from "../../../test/support/http-app.ts";
import type { Address } from "../../core/address.ts";

type Json = Record<string, unknown>;
interface Sent {
  userId: string;
  address: Address;
  code: string;
}

describe("address claims, switched off", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ config: { smtp: { domains: ["example.com"] } } });
  });
  after(() => t.close());

  it("refuses every claim: the admin assigns addresses", async () => {
    const alice = await t.userWithToken("alice");
    const res = await t.call("POST", "/api/v1/users/alice/claims", {
      token: alice,
      body: { email: "alice@example.com" },
    });
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as Json).message as string, /addresses\.selfClaim/);
  });
});

describe("address claims, switched on", () => {
  let t: TestServer;
  const sent: Sent[] = [];
  let alice: string;
  let mallory: string;
  let carol: string;

  before(async () => {
    t = await startTestServer({
      config: { smtp: { domains: ["example.com"] }, addresses: { selfClaim: true } },
      deps: {
        sendClaimCode: async (userId, address, code) => {
          sent.push({ userId, address, code });
        },
      },
    });
    alice = await t.userWithToken("alice");
    mallory = await t.userWithToken("mallory");
    const created = await t.call("POST", "/api/v1/users", {
      token: ADMIN_TOKEN,
      body: {
        id: "carol",
        password: "carol-pw-1",
        emails: ["carol@example.com"],
        imClients: [{ id: "chat", kind: "xmpp", jid: "carol@chat.example" }],
      },
    });
    assert.equal(created.status, 201);
    carol = (
      (await (
        await t.call("POST", "/api/v1/session", { body: { user: "carol", password: "carol-pw-1" } })
      ).json()) as { token: string }
    ).token;
  });
  after(() => t.close());

  const claim = (token: string, body: Json) =>
    t.call("POST", "/api/v1/users/alice/claims", { token, body });

  it("sends a code to the JID, not in the answer, and the code adds it to the profile", async () => {
    const res = await claim(alice, { jid: "Alice@Chat.Example/phone" });
    assert.equal(res.status, 202);
    const text = await res.text();
    const last = sent.at(-1);
    assert.deepEqual(last?.address, { scheme: "xmpp", jid: "alice@chat.example" });
    assert.ok(last && !text.includes(last.code), "the code is never in the claimant's answer");
    const confirmed = await t.call("POST", `/api/v1/users/alice/claims/${last?.code}`, {
      token: alice,
    });
    assert.equal(confirmed.status, 200);
    const profile = (await confirmed.json()) as Json;
    assert.deepEqual(profile.imClients, [
      { id: "web", kind: "web" },
      { id: "xmpp-1", kind: "xmpp", jid: "alice@chat.example" },
    ]);
    assert.equal((await t.store.users.findByJid("alice@chat.example"))?.id, "alice");
  });

  it("an email claim needs a served domain and a free address", async () => {
    const foreign = await claim(alice, { email: "ceo@bigbank.example" });
    assert.equal(foreign.status, 400);
    assert.equal(((await foreign.json()) as Json).field, "emails.0");
    const count = sent.length;
    const taken = await t.call("POST", "/api/v1/users/mallory/claims", {
      token: mallory,
      body: { jid: "carol@chat.example" },
    });
    assert.equal(taken.status, 409);
    assert.match(((await taken.json()) as Json).message as string, /carol@chat\.example/);
    assert.equal(sent.length, count, "no code goes to an address someone owns");
    const ok = await claim(alice, { email: "Alice@Example.com" });
    assert.equal(ok.status, 202);
    const code = sent.at(-1)?.code;
    const confirmed = await t.call("POST", `/api/v1/users/alice/claims/${code}`, { token: alice });
    assert.deepEqual(((await confirmed.json()) as Json).emails, ["alice@example.com"]);
  });

  it("only the user claims for themself; bad bodies name the field", async () => {
    assert.equal((await claim(mallory, { email: "x@example.com" })).status, 403);
    assert.equal((await claim(ADMIN_TOKEN, { email: "x@example.com" })).status, 403);
    const bad = await claim(alice, { phone: "911" });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Json).field, "phone");
    const both = await claim(alice, { email: "a@example.com", jid: "a@chat.example" });
    assert.equal(both.status, 400);
    assert.equal(((await both.json()) as Json).field, "email");
    const code = await t.call("POST", "/api/v1/users/alice/claims/not-a-code", { token: alice });
    assert.equal(code.status, 400);
    assert.equal(((await code.json()) as Json).field, "code");
  });

  it("a user may send only a few codes an hour", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await t.call("POST", "/api/v1/users/carol/claims", {
        token: carol,
        body: { jid: `spam-${i}@chat.example` },
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429, 429]);
  });

  it("wrong codes: 404, then 429 with Retry-After, and the pending claim is gone", async () => {
    const res = await t.call("POST", "/api/v1/users/mallory/claims", {
      token: mallory,
      body: { email: "mallory@example.com" },
    });
    assert.equal(res.status, 202);
    const right = sent.at(-1)?.code;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const wrong = await t.call("POST", "/api/v1/users/mallory/claims/AAAAAAAAAA", {
        token: mallory,
      });
      statuses.push(wrong.status);
      if (wrong.status === 429) assert.ok(Number(wrong.headers.get("retry-after")) >= 1);
    }
    assert.deepEqual(statuses, [404, 404, 404, 404, 429, 429]);
    const late = await t.call("POST", `/api/v1/users/mallory/claims/${right}`, { token: mallory });
    assert.equal(late.status, 429);
    assert.equal(await t.store.users.findByEmail("mallory@example.com"), undefined);
  });
});

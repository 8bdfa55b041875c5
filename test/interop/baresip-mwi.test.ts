// Interop with a real phone: baresip registers as alice's phone with digest
// auth, subscribes to message-summary, and shows the change from 0 to 1 new message; on quit it
// unregisters and unsubscribes. Skipped without baresip unless OMNIVOX_REQUIRE_PEERS=1.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MessageSummary } from "../../src/protocols/mwi/index.ts";
import {
  DigestChallenger,
  DigestVerifier,
  NonceService,
} from "../../src/protocols/sip/auth/index.ts";
import { DialogRegistry } from "../../src/protocols/sip/dialog/registry.ts";
import { SipEndpoint } from "../../src/protocols/sip/endpoint.ts";
import { Registrar } from "../../src/protocols/sip/registrar/index.ts";
import { type MwiNotifier, mwiNotifier } from "../../src/protocols/sip/usage/mwi/index.ts";
import { type RegisterModule, registerModule } from "../../src/protocols/sip/usage/register.ts";
import { type Baresip, startBaresip } from "../support/baresip.ts";
import { peer } from "../support/peers.ts";

const baresipPeer = peer("baresip", "baresip");
const DOMAIN = "127.0.0.1";
const REALM = "omnivox";
const PASSWORD = "Tr0ub4dor&3";

let endpoint: SipEndpoint;
let registrar: Registrar;
let registrarModule: RegisterModule;
let notifier: MwiNotifier;
let phone: Baresip | undefined;
let newMessages = 0;

before(async () => {
  if (baresipPeer.skip) return;
  endpoint = new SipEndpoint({ udp: { host: "127.0.0.1", port: 0 }, userAgent: "omnivox-test" });
  const port = (await endpoint.start()).udp?.port ?? 0;
  const dialogs = new DialogRegistry(endpoint);
  const nonces = new NonceService({ secret: "baresip interop nonce secret" });
  const auth = {
    realm: REALM,
    verifier: new DigestVerifier(nonces),
    challenger: new DigestChallenger(nonces),
    lookup: async (username: string) => (username === "alice" ? { password: PASSWORD } : undefined),
    // baresip 1.0 (libre 1.1) gives up on any challenge that is not MD5.
    algorithms: ["MD5"] as const,
  };
  registrar = new Registrar({
    aorOwner: (aor) => (aor === `sip:alice@${DOMAIN}` ? "alice" : undefined),
  });
  registrarModule = registerModule(endpoint, { ...auth, registrar, domain: DOMAIN });
  notifier = mwiNotifier(endpoint, dialogs, {
    ...auth,
    aorOwner: (user) => (user === "alice" ? "alice" : undefined),
    summaryFor: async (): Promise<MessageSummary> => ({
      waiting: newMessages > 0,
      classes: { voice: { new: newMessages, old: 0 } },
    }),
    localContact: `sip:mwi@127.0.0.1:${port}`,
  });
  phone = await startBaresip({
    binary: baresipPeer.path ?? "baresip",
    account: {
      user: "alice",
      domain: DOMAIN,
      password: PASSWORD,
      outbound: { host: "127.0.0.1", port },
      regint: 600,
      mwi: true,
    },
  });
});

after(async () => {
  await phone?.stop();
  notifier?.stop();
  registrarModule?.stop();
  await endpoint?.stop();
});

test("baresip registers as alice, subscribes to MWI and shows 0 then 1 new", {
  skip: baresipPeer.skip,
  timeout: 60_000,
}, async () => {
  const b = phone;
  assert.ok(b);
  await b.waitFor(/alice@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK \(omnivox-test\) \[1 binding\]/);
  await b.waitFor(/All 1 useragent registered successfully!/);
  const [binding] = registrar.bindings(`sip:alice@${DOMAIN}`);
  assert.equal(binding?.userId, "alice");
  assert.match(
    binding?.contact ?? "",
    new RegExp(`^sip:alice-[^@]+@127\\.0\\.0\\.1:${b.sipPort}$`),
  );

  await b.waitFor(/mwi: subscribing to messages for sip:alice@127\.0\.0\.1/);
  await b.waitFor(
    /----- MWI for sip:alice@127\.0\.0\.1 -----\r?\nMessages-Waiting: no\r?\nVoice-Message: 0\/0/,
  );
  const subs = notifier.subscriptions("alice");
  assert.equal(subs.length, 1);
  assert.equal(subs[0]?.remoteUri, `sip:alice@${DOMAIN}`);

  newMessages = 1;
  await notifier.notifyChanged("alice");
  await b.waitFor(
    /----- MWI for sip:alice@127\.0\.0\.1 -----\r?\nMessages-Waiting: yes\r?\nVoice-Message: 1\/0/,
  );
  assert.doesNotMatch(b.output(), /ERROR|Function not implemented|401 Unauthorized/);

  // Quitting unregisters the phone and ends its subscription.
  await b.stop();
  assert.equal(registrar.bindings(`sip:alice@${DOMAIN}`).length, 0);
  assert.equal(notifier.subscriptions("alice").length, 0);
});

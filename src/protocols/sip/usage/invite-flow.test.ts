// A call placed to a phone over the TCP connection it registered on (RFC 5626 §5.3): the phone's
// Contact names an address behind its NAT that we cannot reach, so the ACK and BYE must follow
// the INVITE down that connection, not go to the Contact.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DialogRegistry } from "../dialog/registry.ts";
import { type IncomingRequest, SipEndpoint } from "../endpoint.ts";
import { createRequest, newCallId, newTag } from "../endpoint-request.ts";
import { bindingDestination, Registrar } from "../registrar/index.ts";
import { placeCall } from "./invite-client.ts";
import { InviteServerSession } from "./invite-server.ts";

describe("a call over a registered phone's TCP flow", () => {
  it("sends the ACK and BYE over the flow, never to the phone's unreachable Contact", async () => {
    const server = new SipEndpoint({ tcp: { host: "127.0.0.1", port: 0 } });
    // The phone advertises its private address (TEST-NET-1, unreachable here) in Via and Contact.
    const phone = new SipEndpoint({ tcp: { host: "127.0.0.1", port: 0 }, advertise: "192.0.2.77" });
    const { tcp: addr } = await server.start();
    await phone.start();
    assert.ok(addr);
    const registrar = new Registrar({ aorOwner: () => "alice" });
    server.onRequest(
      (req) => {
        const via = /TCP ([^;]+)/.exec(req.message.headers.get("via") ?? "")?.[1] ?? "";
        const r = registrar.handleRegister(req.message, "alice", {
          domain: "127.0.0.1",
          source: { host: req.source.host, port: req.source.port, transport: "TCP", sentBy: via },
        });
        req.transaction.respond(r.status, r.reason, { headers: r.headers });
      },
      { methods: ["REGISTER"] },
    );
    const phoneDialogs = new DialogRegistry(phone);
    const seen: string[] = [];
    let session: InviteServerSession | undefined;
    phone.onRequest(
      (req: IncomingRequest) => {
        session = new InviteServerSession(req, {
          endpoint: phone,
          dialogs: phoneDialogs,
          localContact: phone.contactFor("tcp", { user: "alice" }),
        });
        void session.accept(Buffer.from("v=0\r\n")).then((acked) => seen.push(`ack ${acked}`));
        void session.ended.then((why) => seen.push(why));
      },
      { methods: ["INVITE"] },
    );
    const serverDialogs = new DialogRegistry(server);
    try {
      const contact = phone.contactFor("tcp", { user: "alice" });
      assert.match(contact, /^sip:alice@192\.0\.2\.77:\d+;transport=tcp$/);
      const res = await phone.sendRequest(
        createRequest({
          method: "REGISTER",
          uri: "sip:127.0.0.1",
          from: { uri: "sip:alice@127.0.0.1", tag: newTag() },
          to: { uri: "sip:alice@127.0.0.1" },
          callId: newCallId("192.0.2.77"),
          cseq: 1,
          contact,
        }),
        { ...addr, transport: "tcp" },
      );
      assert.equal(res.status, 200);
      const [b] = registrar.bindings("sip:alice@127.0.0.1");
      assert.ok(b);
      const dest = bindingDestination(b, (d) => server.isConnected(d));
      assert.equal(dest?.host, "127.0.0.1", "the flow, not 192.0.2.77");
      const call = await placeCall({
        endpoint: server,
        dialogs: serverDialogs,
        uri: b.contact,
        dest: dest!,
        from: { uri: "sip:omnivox@127.0.0.1" },
        localContact: server.contactFor("tcp"),
        offer: Buffer.from("v=0\r\n"),
      });
      assert.deepEqual(call.dialog.state.destination, dest);
      for (let i = 0; i < 200 && !seen.includes("ack true"); i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(seen.includes("ack true"), "the phone got the ACK");
      await call.hangup();
      for (let i = 0; i < 200 && !seen.includes("remote-bye"); i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(seen.includes("remote-bye"), `the phone got the BYE: ${seen.join(", ")}`);
    } finally {
      serverDialogs.close();
      phoneDialogs.close();
      await phone.stop();
      await server.stop();
    }
  });
});

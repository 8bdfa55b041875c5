import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeComponentServer } from "../../../test/support/xmpp-fake-server.ts";
import { ComponentConnection } from "./component.ts";
import { NotConnectedError, StanzaError, XmppTimeoutError } from "./errors.ts";
import { iqCaller } from "./iq.ts";
import { child, toXml, xml } from "./xml.ts";

test("iq requests resolve with the result, reject with a StanzaError or a timeout", async () => {
  const server = new FakeComponentServer({
    secret: "s",
    onSession: (session) => {
      session.socket.on("data", () => {
        for (const iq of session.stanzas.splice(0)) {
          const { id, to, from } = iq.attrs;
          if (to === "ok@example.test")
            session.socket.write(
              toXml(xml("iq", { type: "result", id, from: "spoof@example.test", to: from })) +
                toXml(
                  xml(
                    "iq",
                    { type: "result", id, from: to, to: from },
                    xml("query", { xmlns: "urn:q" }),
                  ),
                ),
            );
          else if (to === "err@example.test")
            session.socket.write(
              `<iq type='error' id='${id}' from='${to}'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
            );
        }
      });
    },
  });
  const port = await server.listen();
  const connection = new ComponentConnection({
    host: "127.0.0.1",
    port,
    domain: "c.example.test",
    secret: "s",
  });
  const iq = iqCaller(connection, 200);
  await assert.rejects(iq.get("ok@example.test"), NotConnectedError);
  await connection.connect();
  const result = await iq.get("ok@example.test", xml("query", { xmlns: "urn:q" }));
  assert.equal(result.attrs.from, "ok@example.test", "the answer from another entity is ignored");
  assert.ok(child(result, "query", "urn:q"));
  await assert.rejects(iq.set("err@example.test"), (err: unknown) => {
    assert.ok(err instanceof StanzaError);
    assert.equal(err.condition, "item-not-found");
    assert.equal(err.type, "cancel");
    return true;
  });
  await assert.rejects(iq.get("silent@example.test"), XmppTimeoutError);
  await connection.close();
  await server.close();
});

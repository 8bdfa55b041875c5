// The self-signed certificate generator (RFC 5280): what node:crypto and a TLS handshake make of
// its output — subject, subjectAltName, validity, signature — and its refusals.

import assert from "node:assert/strict";
import { createPrivateKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import { connect, createServer } from "node:tls";
import { objectId, time, unsignedInteger } from "./der.ts";
import { createSelfSigned } from "./self-signed.ts";

describe("createSelfSigned", () => {
  it("makes a v3 certificate node:crypto parses, for every name, signed by its own key", () => {
    const now = new Date("2031-05-06T07:08:09Z");
    const made = createSelfSigned({
      names: ["vm.example.com", "192.0.2.7", "2001:db8::5"],
      now,
      days: 30,
    });
    const x = new X509Certificate(made.cert);
    assert.equal(x.subject, "CN=vm.example.com");
    assert.equal(x.issuer, "CN=vm.example.com");
    assert.equal(
      x.subjectAltName,
      "DNS:vm.example.com, IP Address:192.0.2.7, IP Address:2001:DB8:0:0:0:0:0:5",
    );
    assert.equal(x.checkHost("vm.example.com"), "vm.example.com");
    assert.equal(x.checkHost("other.example.com"), undefined);
    assert.equal(x.checkIP("192.0.2.7"), "192.0.2.7");
    assert.equal(new Date(x.validFrom).toISOString(), "2031-05-05T07:08:09.000Z");
    assert.equal(new Date(x.validTo).toISOString(), "2031-06-05T07:08:09.000Z");
    assert.equal(x.verify(x.publicKey), true);
    assert.equal(x.ca, false);
    assert.equal(x.publicKey.asymmetricKeyType, "ec");
    assert.match(made.key, /^-----BEGIN PRIVATE KEY-----/);
    assert.equal(x.checkPrivateKey(createPrivateKey(made.key)), true);
  });

  it("gives each certificate a new key and serial number", () => {
    const a = new X509Certificate(createSelfSigned({ names: ["a.example"] }).cert);
    const b = new X509Certificate(createSelfSigned({ names: ["a.example"] }).cert);
    assert.notEqual(a.serialNumber, b.serialNumber);
    assert.notEqual(a.fingerprint256, b.fingerprint256);
  });

  it("is trusted by a TLS client that has it as its CA, for the name it was made for", async () => {
    const made = createSelfSigned({ names: ["127.0.0.1", "localhost"] });
    const server = createServer({ cert: made.cert, key: made.key }, (s) => s.end("hello"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const text = await new Promise<string>((resolve, reject) => {
        const c = connect({ host: "127.0.0.1", port, ca: made.cert, servername: "localhost" });
        let got = "";
        c.on("data", (d) => (got += d));
        c.on("end", () => resolve(got));
        c.on("error", reject);
      });
      assert.equal(text, "hello");
      await assert.rejects(
        new Promise((resolve, reject) => {
          const c = connect({
            host: "127.0.0.1",
            port,
            ca: made.cert,
            servername: "elsewhere.example",
          });
          c.on("secureConnect", resolve);
          c.on("error", reject);
        }),
        /altnames|Hostname/i,
      );
    } finally {
      server.close();
    }
  });

  it("certifies a given EC key, and refuses no names, bad names and non-EC keys", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const made = createSelfSigned({ names: ["x.example"], key: pem });
    assert.equal(new X509Certificate(made.cert).checkPrivateKey(privateKey), true);
    assert.throws(() => createSelfSigned({ names: [] }), TypeError);
    assert.throws(() => createSelfSigned({ names: ["bad name\n"] }), /neither a host name/);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    assert.throws(
      () =>
        createSelfSigned({
          names: ["x.example"],
          key: rsa.export({ type: "pkcs8", format: "pem" }).toString(),
        }),
      /EC key/,
    );
  });
});

describe("der", () => {
  it("encodes OIDs, positive integers and both time forms as X.690 asks", () => {
    assert.equal(objectId("1.2.840.10045.4.3.2").toString("hex"), "06082a8648ce3d040302");
    assert.equal(unsignedInteger(Buffer.from([0x80])).toString("hex"), "02020080");
    assert.equal(unsignedInteger(Buffer.from([0, 0, 5])).toString("hex"), "020105");
    assert.equal(
      time(new Date("2049-12-31T23:59:59Z")).toString("latin1").slice(2),
      "491231235959Z",
    );
    assert.equal(
      time(new Date("2050-01-01T00:00:00Z")).toString("latin1").slice(2),
      "20500101000000Z",
    );
  });
});

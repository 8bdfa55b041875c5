// Tests for SRTP (RFC 3711): the Appendix B vectors for AES-CM and key derivation, then protect /
// unprotect round trips, tampering, replays, reordering and the rollover counter across a wrap.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RTP_HEADER_BYTES, writeRtp } from "./packet.ts";
import {
  aesCmKeystream,
  SRTP_AUTH_FAILED,
  SRTP_MALFORMED,
  SRTP_REPLAYED,
  SrtpSession,
} from "./srtp.ts";
import { deriveRtpKeys, SRTP_MAX_TRAILER_BYTES, type SrtpSuiteName } from "./srtp-keys.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("RFC 3711 Appendix B", () => {
  it("B.2: the AES-CM keystream", () => {
    const keys = {
      cipherKey: hex("2B7E151628AED2A6ABF7158809CF4F3C"),
      salt: hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"),
      authKey: Buffer.alloc(20),
    };
    const stream = aesCmKeystream(keys, 0, 0, 0, 0xff02 * 16);
    assert.equal(
      stream.subarray(0, 48).toString("hex").toUpperCase(),
      "E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0",
    );
    assert.equal(
      stream
        .subarray(0xfeff * 16)
        .toString("hex")
        .toUpperCase(),
      "EC8CDF7398607CB0F2D21675EA9EA1E4362B7C3C6773516318A077D7FC5073AE6A2CC3787889374FBEB4C81B17BA6C44",
    );
  });

  it("B.3: session keys from the master key and salt", () => {
    const keys = deriveRtpKeys(
      Buffer.concat([hex("E1F97A0D3E018BE0D64FA32C06DE4139"), hex("0EC675AD498AFEEBB6960B3AABE6")]),
    );
    assert.equal(keys.cipherKey.toString("hex").toUpperCase(), "C61E7A93744F39EE10734AFE3FF7A087");
    assert.equal(keys.salt.toString("hex").toUpperCase(), "30CBBC08863D8C85D49DB34A9AE1");
    assert.equal(
      keys.authKey.toString("hex").toUpperCase(),
      "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4",
    );
  });

  it("refuses key material of the wrong length", () => {
    assert.throws(() => deriveRtpKeys(Buffer.alloc(29)), /30 \(key ‖ salt\) expected/);
  });
});

const keyA = Buffer.from(Array.from({ length: 30 }, (_, i) => i + 1));
const keyB = Buffer.from(Array.from({ length: 30 }, (_, i) => 200 - i));

function pair(suite: SrtpSuiteName = "AES_CM_128_HMAC_SHA1_80") {
  return {
    alice: new SrtpSession({ suite, sendKey: keyA, receiveKey: keyB }),
    bob: new SrtpSession({ suite, sendKey: keyB, receiveKey: keyA }),
  };
}

function rtp(sequence: number, payload: Uint8Array, ssrc = 0x11223344): Buffer {
  const buf = Buffer.alloc(RTP_HEADER_BYTES + payload.length + SRTP_MAX_TRAILER_BYTES);
  const n = writeRtp(
    { payloadType: 0, sequence, timestamp: sequence * 160, ssrc, payload },
    buf,
    0,
  );
  return buf.subarray(0, n + SRTP_MAX_TRAILER_BYTES);
}

/** Protects a packet and returns exactly the bytes that would go on the wire. */
function wire(s: SrtpSession, sequence: number, payload: Uint8Array, ssrc?: number): Buffer {
  const buf = rtp(sequence, payload, ssrc);
  const n = s.protect(buf, RTP_HEADER_BYTES + payload.length);
  return Buffer.from(buf.subarray(0, n));
}

const voice = Buffer.from(Array.from({ length: 160 }, (_, i) => (i * 7) & 0xff));

describe("SrtpSession", () => {
  it("round-trips a packet: header in clear, payload encrypted, 80-bit tag", () => {
    const { alice, bob } = pair();
    const packet = wire(alice, 1000, voice);
    assert.equal(packet.length, RTP_HEADER_BYTES + 160 + 10);
    assert.equal(packet.readUInt16BE(2), 1000, "the header stays readable");
    assert.notDeepEqual(packet.subarray(12, 172), voice, "the payload is encrypted");
    const n = bob.unprotect(packet);
    assert.equal(n, RTP_HEADER_BYTES + 160);
    assert.deepEqual(packet.subarray(12, n), voice);
    assert.equal(bob.stats.unprotected, 1);
  });

  it("uses a 32-bit tag with AES_CM_128_HMAC_SHA1_32", () => {
    const { alice, bob } = pair("AES_CM_128_HMAC_SHA1_32");
    const packet = wire(alice, 5, voice);
    assert.equal(packet.length, RTP_HEADER_BYTES + 160 + 4);
    assert.equal(bob.unprotect(packet), RTP_HEADER_BYTES + 160);
    assert.deepEqual(packet.subarray(12, 172), voice);
  });

  it("drops tampered packets, packets under another key and plain RTP, and counts them", () => {
    const { alice, bob } = pair();
    const tampered = wire(alice, 1, voice);
    tampered[40]! ^= 1;
    const copy = Buffer.from(tampered);
    assert.equal(bob.unprotect(tampered), SRTP_AUTH_FAILED);
    assert.deepEqual(tampered, copy, "a refused packet is left as it came");
    const header = wire(alice, 2, voice);
    header[1] = 8; // another payload type: the header is authenticated too
    assert.equal(bob.unprotect(header), SRTP_AUTH_FAILED);
    assert.equal(alice.unprotect(wire(alice, 3, voice)), SRTP_AUTH_FAILED, "our own key");
    const plain = rtp(4, voice).subarray(0, RTP_HEADER_BYTES + 160);
    assert.equal(bob.unprotect(plain), SRTP_AUTH_FAILED);
    assert.equal(bob.unprotect(Buffer.from([0x80, 0, 0, 1, 0, 0])), SRTP_MALFORMED);
    assert.equal(bob.unprotect(Buffer.alloc(30, 0xff)), SRTP_MALFORMED, "not version 2");
    assert.equal(bob.stats.authFailures, 3);
    assert.equal(alice.stats.authFailures, 1);
    assert.equal(bob.stats.malformed, 2);
    // A valid packet after all this still gets through: failures change no state.
    assert.equal(bob.unprotect(wire(alice, 5, voice)), RTP_HEADER_BYTES + 160);
  });

  it("drops replays and packets older than the window, accepts late ones inside it", () => {
    const { alice, bob } = pair();
    const packets = Array.from({ length: 300 }, (_, i) => wire(alice, 100 + i, voice));
    const copies = packets.map((p) => Buffer.from(p));
    assert.ok(bob.unprotect(packets[0]!) > 0);
    assert.equal(bob.unprotect(Buffer.from(copies[0]!)), SRTP_REPLAYED);
    for (let i = 2; i < 300; i++) assert.ok(bob.unprotect(packets[i]!) > 0, `packet ${i}`);
    assert.equal(bob.unprotect(packets[1]!), SRTP_REPLAYED, "299 packets late is too late");
    assert.equal(bob.unprotect(Buffer.from(copies[250]!)), SRTP_REPLAYED);
    // Reordered inside the window: a late packet is still accepted once.
    const more = Array.from({ length: 5 }, (_, i) => wire(alice, 400 + i, voice));
    for (const i of [0, 2, 3, 4]) assert.ok(bob.unprotect(more[i]!) > 0);
    const late = Buffer.from(more[1]!);
    assert.equal(bob.unprotect(more[1]!), RTP_HEADER_BYTES + 160);
    assert.equal(bob.unprotect(late), SRTP_REPLAYED);
    assert.equal(bob.stats.replays, 4);
  });

  it("keeps the rollover counter in step across the sequence wrap, in and out of order", () => {
    const { alice, bob } = pair();
    const seqs = [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3];
    const packets = seqs.map((s, i) => wire(alice, s, Buffer.from(voice.map((b) => b ^ i))));
    // Delivered with a packet from before the wrap arriving after it.
    const order = [0, 1, 2, 3, 4, 6, 5, 7, 9, 8];
    for (const i of order) {
      const n = bob.unprotect(packets[i]!);
      assert.equal(n, RTP_HEADER_BYTES + 160, `sequence ${seqs[i]}`);
      assert.deepEqual(packets[i]!.subarray(12, n), Buffer.from(voice.map((b) => b ^ i)));
    }
    // Long after the wrap the ROC is 1 on both sides: a fresh packet decrypts correctly.
    for (let s = 4; s < 40_000; s += 1000) assert.ok(bob.unprotect(wire(alice, s, voice)) > 0);
    const last = wire(alice, 40_001, voice);
    assert.equal(bob.unprotect(last), RTP_HEADER_BYTES + 160);
    assert.deepEqual(last.subarray(12, 172), voice);
  });

  it("a packet with a wrong ROC guess (sender wrapped, receiver did not see it) fails closed", () => {
    const { alice, bob } = pair();
    assert.ok(bob.unprotect(wire(alice, 10, voice)) > 0);
    // alice's sequence wraps without bob seeing any of it: ROC 1 at seq 10 looks like a replay
    // of index 10 under ROC 0, or fails authentication; either way it never decrypts wrongly.
    for (let s = 20; s < 65536; s += 20_000) wire(alice, s, voice);
    wire(alice, 65535, voice);
    const after = wire(alice, 11, voice);
    assert.ok(bob.unprotect(after) < 0);
  });

  it("keeps separate contexts for a new SSRC", () => {
    const { alice, bob } = pair();
    assert.ok(bob.unprotect(wire(alice, 7, voice, 1)) > 0);
    assert.ok(bob.unprotect(wire(alice, 7, voice, 2)) > 0, "same sequence, other source");
    assert.equal(bob.unprotect(wire(alice, 7, voice, 1)), SRTP_REPLAYED);
  });

  it("encrypts only what follows the CSRC list and header extension", () => {
    const { alice, bob } = pair();
    // V=2, X=1, CC=1: 12 fixed octets, one CSRC, a one-word extension, then 8 payload octets.
    const header = hex("91 00 00 2a 00 00 00 00 11 22 33 44  aa bb cc dd  be de 00 01 10 ff 00 00");
    const body = Buffer.from("payload!");
    const buf = Buffer.alloc(header.length + body.length + 10);
    header.copy(buf);
    body.copy(buf, header.length);
    const n = alice.protect(buf, header.length + body.length);
    assert.deepEqual(buf.subarray(0, header.length), header, "CSRC and extension stay in clear");
    assert.notDeepEqual(buf.subarray(header.length, header.length + 8), body);
    assert.equal(bob.unprotect(buf, n), header.length + body.length);
    assert.deepEqual(buf.subarray(header.length, header.length + 8), body);
  });

  it("protect refuses a buffer without room for the tag", () => {
    const { alice } = pair();
    const buf = Buffer.alloc(RTP_HEADER_BYTES + 160);
    writeRtp({ payloadType: 0, sequence: 1, timestamp: 0, ssrc: 1, payload: voice }, buf, 0);
    assert.throws(() => alice.protect(buf, buf.length), /no room/);
  });
});

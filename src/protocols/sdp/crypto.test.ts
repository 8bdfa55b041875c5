// Tests for SDES (RFC 4568) in offer/answer: parsing a=crypto, refusing what our SRTP cannot do,
// and the `off` / `offer` / `require` rules for answering and offering.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crlf, SAVP_OFFER, SIPP_OFFER } from "../../../test/fixtures/sdp.ts";
import { prng } from "../../../test/support/prng.ts";
import { answerOffer } from "./answer.ts";
import type { LocalAudio } from "./audio.ts";
import { chooseKey, parseCrypto, type SrtpMode, usableKey } from "./crypto.ts";
import { formatSdp } from "./format.ts";
import { createOffer, parseAnswer } from "./offer.ts";
import { parseSdp } from "./parse.ts";
import type { SessionDescription } from "./types.ts";

const KEY = Buffer.from(Array.from({ length: 30 }, (_, i) => i)).toString("base64");
const KEY2 = Buffer.from(Array.from({ length: 30 }, (_, i) => 99 - i)).toString("base64");

function local(srtp: SrtpMode): LocalAudio {
  return {
    address: "192.0.2.5",
    port: 30000,
    sessionId: 1,
    sessionVersion: 1,
    codecs: ["PCMU", "PCMA"],
    telephoneEvent: true,
    ptime: 20,
    srtp,
  };
}

function sdp(text: string): SessionDescription {
  const r = parseSdp(text);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.value;
}

/** baresip's `mediaenc=srtp` offer shape: RTP/AVP (or SAVP) with several a=crypto lines. */
function offerWith(proto: string, ...crypto: string[]): SessionDescription {
  return sdp(
    crlf(
      "v=0",
      "o=- 1 1 IN IP4 10.0.0.7",
      "s=-",
      "c=IN IP4 10.0.0.7",
      "t=0 0",
      `m=audio 6000 ${proto} 0 8 101`,
      "a=rtpmap:101 telephone-event/8000",
      ...crypto.map((c) => `a=crypto:${c}`),
    ),
  );
}

function cryptoOf(s: SessionDescription): string[] {
  return s.media[0]!.attributes.filter((a) => a.name === "crypto").map((a) => a.value ?? "");
}

describe("a=crypto", () => {
  it("parses and accepts AES_CM_128_HMAC_SHA1_80 and _32 inline keys with a long lifetime", () => {
    for (const suite of ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"]) {
      for (const tail of ["", "|2^31", "|2^20", "|4294967296"]) {
        const attr = parseCrypto(`7 ${suite} inline:${KEY}${tail}`);
        assert.ok(attr.ok);
        const key = usableKey(attr.value);
        assert.ok(key.ok, key.ok ? "" : key.error);
        assert.equal(key.value.tag, 7);
        assert.equal(key.value.suite, suite);
        assert.equal(key.value.key.toString("base64"), KEY);
      }
    }
  });

  it("refuses what our SRTP cannot do, saying why", () => {
    const refused = (value: string, why: RegExp) => {
      const attr = parseCrypto(value);
      const key = attr.ok ? usableKey(attr.value) : attr;
      assert.equal(key.ok, false, value);
      assert.match(key.ok ? "" : key.error, why, value);
    };
    refused(`1 AES_256_CM_HMAC_SHA1_80 inline:${KEY}`, /suite not supported/);
    refused(`1 AEAD_AES_128_GCM inline:${KEY}`, /suite not supported/);
    refused(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20|1:4`, /MKI \(1:4\) not supported/);
    refused(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|1:4`, /MKI/);
    refused(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^10`, /lifetime 2\^10/);
    refused(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY};inline:${KEY2}`, /more than one key/);
    refused(`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY} UNENCRYPTED_SRTP`, /session parameters/);
    refused(`1 AES_CM_128_HMAC_SHA1_80 inline:AAAA`, /3 octets, 30 expected/);
    refused(`1 AES_CM_128_HMAC_SHA1_80 inline:!!notbase64!!`, /not base64/);
    refused(`1 AES_CM_128_HMAC_SHA1_80 uri:https://example.com/k`, /only inline/);
    refused(`x AES_CM_128_HMAC_SHA1_80 inline:${KEY}`, /bad tag/);
    refused("1 AES_CM_128_HMAC_SHA1_80", /tag, suite and key expected/);
  });

  it("chooses the first usable attribute and explains when there is none", () => {
    const m = offerWith(
      "RTP/SAVP",
      `1 AEAD_AES_256_GCM inline:${KEY}`,
      `2 AES_CM_128_HMAC_SHA1_32 inline:${KEY2}`,
      `3 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`,
    ).media[0]!;
    const key = chooseKey(m);
    assert.ok(key.ok);
    assert.equal(key.value.tag, 2);
    const none = chooseKey(offerWith("RTP/SAVP", `1 F8_128_HMAC_SHA1_80 inline:${KEY}`).media[0]!);
    assert.ok(!none.ok);
    assert.match(none.error, /F8_128_HMAC_SHA1_80: suite not supported.*we accept/);
  });
});

describe("answering with sip.srtp", () => {
  it("answers RTP/SAVP with the same tag and suite and a fresh key of our own", () => {
    for (const mode of ["offer", "require"] as const) {
      const offer = offerWith("RTP/SAVP", `5 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^31`);
      const r = answerOffer(offer, local(mode));
      assert.ok(r.ok, r.ok ? "" : r.reason);
      const m = r.answer.media[0]!;
      assert.equal(m.proto, "RTP/SAVP");
      const [line, ...more] = cryptoOf(r.answer);
      assert.equal(more.length, 0);
      assert.match(line!, /^5 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}$/);
      assert.equal(r.media.srtp?.suite, "AES_CM_128_HMAC_SHA1_80");
      assert.equal(r.media.srtp?.receiveKey.toString("base64"), KEY);
      assert.equal(r.media.srtp?.sendKey.toString("base64"), line!.split("inline:")[1]);
      assert.notEqual(r.media.srtp?.sendKey.toString("base64"), KEY, "never the offerer's key");
      // The answer survives formatting and parsing with its crypto line.
      assert.deepEqual(cryptoOf(sdp(formatSdp(r.answer))), [line]);
    }
  });

  it("gives every answer a new key", () => {
    const offer = offerWith("RTP/SAVP", `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`);
    const a = answerOffer(offer, local("offer"));
    const b = answerOffer(offer, local("offer"));
    assert.ok(a.ok && b.ok);
    assert.notDeepEqual(a.media.srtp?.sendKey, b.media.srtp?.sendKey);
  });

  it("answers best-effort RTP/AVP + a=crypto with SRTP in RTP/AVP", () => {
    const offer = offerWith(
      "RTP/AVP",
      `1 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`,
      `2 AES_CM_128_HMAC_SHA1_80 inline:${KEY2}`,
    );
    const r = answerOffer(offer, local("offer"));
    assert.ok(r.ok);
    assert.equal(r.answer.media[0]!.proto, "RTP/AVP");
    assert.match(cryptoOf(r.answer)[0]!, /^1 AES_CM_128_HMAC_SHA1_32 inline:/);
    assert.equal(r.media.srtp?.suite, "AES_CM_128_HMAC_SHA1_32");
  });

  it("offer: plain RTP stays plain; an unusable best-effort key falls back to plain", () => {
    const plain = answerOffer(sdp(SIPP_OFFER), local("offer"));
    assert.ok(plain.ok);
    assert.equal(plain.media.srtp, undefined);
    assert.deepEqual(cryptoOf(plain.answer), []);
    const gcm = answerOffer(
      offerWith("RTP/AVP", `1 AEAD_AES_128_GCM inline:${KEY}`),
      local("offer"),
    );
    assert.ok(gcm.ok);
    assert.equal(gcm.media.srtp, undefined);
    assert.deepEqual(cryptoOf(gcm.answer), []);
  });

  it("require: refuses plain RTP and unusable keys with 488 and a reason", () => {
    const plain = answerOffer(sdp(SIPP_OFFER), local("require"));
    assert.ok(!plain.ok);
    assert.equal(plain.status, 488);
    assert.match(plain.reason, /SRTP is required \(sip\.srtp: require\).*no a=crypto/);
    const gcm = answerOffer(
      offerWith("RTP/AVP", `1 AEAD_AES_128_GCM inline:${KEY}`),
      local("require"),
    );
    assert.ok(!gcm.ok);
    assert.match(gcm.reason, /AEAD_AES_128_GCM: suite not supported/);
    const mki = answerOffer(
      offerWith("RTP/SAVP", `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20|1:4`),
      local("require"),
    );
    assert.ok(!mki.ok);
    assert.match(mki.reason, /RTP\/SAVP.*MKI/);
  });

  it("off: refuses RTP/SAVP, answers best-effort crypto with plain RTP", () => {
    const savp = answerOffer(sdp(SAVP_OFFER), local("off"));
    assert.ok(!savp.ok);
    assert.match(savp.reason, /SRTP \(RTP\/SAVP\) is turned off \(sip\.srtp: off\)/);
    const best = answerOffer(
      offerWith("RTP/AVP", `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`),
      local("off"),
    );
    assert.ok(best.ok);
    assert.equal(best.media.srtp, undefined);
    assert.deepEqual(cryptoOf(best.answer), []);
  });
});

describe("offering with sip.srtp", () => {
  function answerTo(offer: SessionDescription, proto: string, ...crypto: string[]) {
    const text = formatSdp(offer)
      .replace(/^o=.*$/m, "o=- 9 9 IN IP4 10.0.0.9")
      .replace(/^c=.*$/m, "c=IN IP4 10.0.0.9")
      .replace(/^m=audio \d+ \S+/m, `m=audio 7000 ${proto}`)
      .replace(/^a=crypto:.*\r\n/gm, "");
    return sdp(text + crypto.map((c) => `a=crypto:${c}\r\n`).join(""));
  }

  it("off offers plain RTP/AVP; offer adds a best-effort key; require offers RTP/SAVP", () => {
    const off = createOffer(local("off"));
    assert.equal(off.media[0]!.proto, "RTP/AVP");
    assert.deepEqual(cryptoOf(off), []);
    const best = createOffer(local("offer"));
    assert.equal(best.media[0]!.proto, "RTP/AVP");
    assert.match(cryptoOf(best)[0]!, /^1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}$/);
    const required = createOffer(local("require"));
    assert.equal(required.media[0]!.proto, "RTP/SAVP");
    assert.equal(cryptoOf(required).length, 1);
  });

  it("takes the answer's key for what we receive and keeps ours for sending", () => {
    const offer = createOffer(local("offer"));
    const ours = cryptoOf(offer)[0]!.split("inline:")[1]!;
    const r = parseAnswer(
      answerTo(offer, "RTP/AVP", `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`),
      offer,
    );
    assert.ok(r.ok, r.ok ? "" : r.error);
    assert.equal(r.value.srtp?.receiveKey.toString("base64"), KEY);
    assert.equal(r.value.srtp?.sendKey.toString("base64"), ours);
  });

  it("a plain answer to a best-effort offer is plain RTP", () => {
    const offer = createOffer(local("offer"));
    const r = parseAnswer(answerTo(offer, "RTP/AVP"), offer);
    assert.ok(r.ok);
    assert.equal(r.value.srtp, undefined);
  });

  it("refuses answers whose key does not fit what we offered", () => {
    const offer = createOffer(local("require"));
    const none = parseAnswer(answerTo(offer, "RTP/SAVP"), offer);
    assert.deepEqual(none, { ok: false, error: "the RTP/SAVP answer has no a=crypto key" });
    const tag = parseAnswer(
      answerTo(offer, "RTP/SAVP", `2 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`),
      offer,
    );
    assert.ok(!tag.ok);
    assert.match(tag.error, /matches no offered key/);
    const suite = parseAnswer(
      answerTo(offer, "RTP/SAVP", `1 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`),
      offer,
    );
    assert.ok(!suite.ok);
    const proto = parseAnswer(answerTo(offer, "RTP/AVP"), offer);
    assert.ok(!proto.ok);
    assert.match(proto.error, /not audio RTP\/SAVP/);
  });
});

describe("hostile a=crypto", () => {
  it("random and mangled attributes never throw: an answer, a 488, or a clear error", () => {
    const rnd = prng(0x5eed5);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const parts = [
      "1",
      "999999999",
      "1234567890",
      "-1",
      "AES_CM_128_HMAC_SHA1_80",
      "AES_CM_128_HMAC_SHA1_32",
      "AEAD_AES_128_GCM",
      `inline:${KEY}`,
      `inline:${KEY}|2^20`,
      `inline:${KEY}|2^99|1:4`,
      `inline:${KEY};inline:${KEY2}`,
      "inline:",
      "inline:=",
      "inline:|||",
      "|",
      ":",
      "KDR=1",
      "\u00e9",
      "",
    ];
    const required = createOffer(local("require"));
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(rnd() * 5);
      const value = Array.from({ length: n }, () => pick(parts)).join(pick([" ", "", "\t", "  "]));
      const offer = offerWith(pick(["RTP/SAVP", "RTP/AVP"]), value);
      for (const mode of ["off", "offer", "require"] as const) {
        const r = answerOffer(offer, local(mode));
        if (!r.ok) assert.equal(r.status, 488);
        else if (r.media.srtp) assert.equal(r.media.srtp.receiveKey.length, 30);
      }
      const back = parseAnswer(offer, required);
      assert.equal(typeof back.ok, "boolean");
    }
  });
});

// Tests for the RFC 4566 parser and writer: real peers' bodies, round trips, and rejected input.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BARESIP_OFFER,
  crlf,
  IPV6_DYNAMIC_OFFER,
  SIPP_OFFER,
  VIDEO_AUDIO_OFFER,
} from "../../../test/fixtures/sdp.ts";
import { formatSdp } from "./format.ts";
import { parseSdp } from "./parse.ts";
import type { SessionDescription } from "./types.ts";

function ok(text: string | Uint8Array): SessionDescription {
  const r = parseSdp(text);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.value;
}

function fails(text: string, includes: string): void {
  const r = parseSdp(text);
  assert.equal(r.ok, false, `accepted: ${JSON.stringify(text)}`);
  if (!r.ok) assert.ok(r.error.includes(includes), `"${r.error}" lacks "${includes}"`);
}

const HEAD = ["v=0", "o=- 1 1 IN IP4 10.0.0.1", "s=-", "c=IN IP4 10.0.0.1", "t=0 0"];

describe("parseSdp", () => {
  it("reads sipp's offer", () => {
    const d = ok(SIPP_OFFER);
    assert.deepEqual(d.origin, {
      username: "user1",
      sessionId: "53655765",
      sessionVersion: "2353687637",
      addrType: "IP4",
      address: "10.0.0.7",
    });
    assert.equal(d.sessionName, "-");
    assert.deepEqual(d.connection, { addrType: "IP4", address: "10.0.0.7" });
    assert.deepEqual(d.timing, [{ start: "0", stop: "0" }]);
    assert.equal(d.media.length, 1);
    const m = d.media[0]!;
    assert.equal(m.media, "audio");
    assert.equal(m.port, 6000);
    assert.equal(m.proto, "RTP/AVP");
    assert.deepEqual(m.formats, ["0"]);
    assert.deepEqual(m.rtpmap, [{ payloadType: 0, encoding: "PCMU", clockRate: 8000 }]);
    assert.equal(m.direction, undefined);
  });

  it("reads baresip's many-codec offer with known and unknown attributes", () => {
    const d = ok(BARESIP_OFFER);
    assert.deepEqual(d.attributes, [{ name: "tool", value: "baresip 3.10.1" }]);
    const m = d.media[0]!;
    assert.deepEqual(m.formats, ["96", "9", "0", "8", "101"]);
    assert.deepEqual(m.rtpmap[0], {
      payloadType: 96,
      encoding: "opus",
      clockRate: 48000,
      channels: 2,
    });
    assert.equal(m.rtpmap.length, 5);
    assert.deepEqual(m.fmtp, [
      { payloadType: 96, params: "stereo=1;sprop-stereo=1" },
      { payloadType: 101, params: "0-15" },
    ]);
    assert.equal(m.ptime, 20);
    assert.equal(m.direction, "sendrecv");
    assert.deepEqual(m.other, [{ type: "b", value: "AS:104" }]);
    assert.deepEqual(
      m.attributes.map((a) => a.name),
      ["label", "rtcp-rsize", "ssrc"],
    );
  });

  it("keeps media-level c= and a=rtcp with an address apart from the session's", () => {
    const d = ok(VIDEO_AUDIO_OFFER);
    assert.deepEqual(
      d.media.map((m) => m.media),
      ["video", "audio"],
    );
    assert.deepEqual(d.media[1]!.rtcp, {
      port: 10373,
      connection: { addrType: "IP4", address: "192.168.17.41" },
    });
    const withMediaC = ok(crlf(...HEAD, "m=audio 5004 RTP/AVP 0", "c=IN IP4 10.9.9.9"));
    assert.deepEqual(withMediaC.media[0]!.connection, { addrType: "IP4", address: "10.9.9.9" });
    assert.equal(withMediaC.connection?.address, "10.0.0.1");
  });

  it("reads IPv6, host names, multicast suffixes and LF-only bodies", () => {
    const d = ok(IPV6_DYNAMIC_OFFER);
    assert.deepEqual(d.connection, { addrType: "IP6", address: "2001:db8::10" });
    assert.equal(d.origin.addrType, "IP6");
    const lf = ok(SIPP_OFFER.replaceAll("\r\n", "\n"));
    assert.deepEqual(lf, ok(SIPP_OFFER));
    const named = ok(crlf(...HEAD.slice(0, 3), "c=IN IP4 media.example.com", "t=0 0"));
    assert.equal(named.connection?.address, "media.example.com");
    const mc = ok(crlf(...HEAD.slice(0, 3), "c=IN IP4 224.2.36.42/127/3", "t=0 0"));
    assert.deepEqual(mc.connection, { addrType: "IP4", address: "224.2.36.42", suffix: "127/3" });
  });

  it("accepts bytes as well as text", () => {
    assert.deepEqual(ok(new TextEncoder().encode(SIPP_OFFER)), ok(SIPP_OFFER));
  });

  it("keeps lines it does not interpret, and a malformed known attribute as a raw one", () => {
    const d = ok(
      crlf(
        ...HEAD.slice(0, 3),
        "i=a test call",
        "u=http://example.com/call",
        "e=ops@example.com",
        "c=IN IP4 10.0.0.1",
        "t=0 0",
        "x=vendor-extension",
        "m=audio 5004 RTP/AVP 0 8",
        "a=rtpmap:8 PCMA",
        "a=ptime:fast",
        "a=recvonly",
        "a=sendonly",
      ),
    );
    assert.deepEqual(
      d.other.map((l) => l.type),
      ["i", "u", "e", "x"],
    );
    const m = d.media[0]!;
    assert.deepEqual(m.rtpmap, []);
    assert.deepEqual(m.attributes, [
      { name: "rtpmap", value: "8 PCMA" },
      { name: "ptime", value: "fast" },
    ]);
    // The first direction wins; the contradicting second one is dropped.
    assert.equal(m.direction, "recvonly");
  });

  it("rejects malformed bodies with a reason naming the line", () => {
    fails("", "empty");
    fails("\r\n\r\n", "empty");
    fails("hello world", "line 1");
    fails(crlf("o=- 1 1 IN IP4 10.0.0.1", "v=0"), "start with v=");
    fails(crlf("v=1", "o=- 1 1 IN IP4 1.2.3.4", "s=-"), "version");
    fails(crlf("V=0", "o=- 1 1 IN IP4 1.2.3.4", "s=-"), "line 1");
    fails(crlf("v=0", "s=-", "t=0 0"), "missing o=");
    fails(crlf("v=0", "o=- 1 1 IN IP4 1.2.3.4", "t=0 0"), "missing s=");
    fails(crlf("v=0", "o=- 1 1 IN IP4", "s=-"), "line 2: o= needs 6 fields");
    fails(crlf("v=0", "o=- x 1 IN IP4 1.2.3.4", "s=-"), "numeric");
    fails(crlf("v=0", "o=- 1 1 ATM NSAP 1.2.3.4", "s=-"), "IN IP4");
    fails(crlf("v=0", "v=0"), "repeated v=");
    fails(crlf(...HEAD.slice(0, 3), "c=IN IP4 999.1.1.1"), "bad address");
    fails(crlf(...HEAD.slice(0, 3), "c=IN IP6 not an address"), "c=");
    fails(crlf(...HEAD, "c=IN IP4 10.0.0.2"), "repeated c=");
    fails(crlf(...HEAD, "t=0"), "t= needs two numbers");
    fails(crlf(...HEAD, "m=audio 70000 RTP/AVP 0"), "bad port");
    fails(crlf(...HEAD, "m=audio 5004 RTP/AVP 128"), 'bad format "128"');
    fails(crlf(...HEAD, "m=audio 5004 RTP/AVP PCMU"), "bad format");
    fails(crlf(...HEAD, "m=audio 5004 RTP/AVP"), "m= needs");
    fails(crlf("v=0", "m=audio 5004 RTP/AVP 0"), "m= before o=");
    fails(crlf(...HEAD, "m=audio 5004 RTP/AVP 0", "t=0 0"), "not allowed after m=");
    fails(crlf(...HEAD, "a=:x"), "attribute name");
    fails(crlf(...HEAD, "m=audio 5004 RTP/AVP 0", "a=rtp\0map:0 PCMU/8000"), "NUL");
    fails(crlf(...HEAD, "a=tool:x\ry"), "CR");
    fails(crlf(...HEAD, " a=sendrecv"), "line 6");
  });

  it("enforces the size, line and stream limits", () => {
    fails(`${SIPP_OFFER}a=x:${"y".repeat(70_000)}\r\n`, "too large");
    assert.equal(parseSdp(new Uint8Array(70_000)).ok, false);
    fails(crlf(...HEAD, ...Array.from({ length: 1100 }, () => "a=x")), "too many lines");
    fails(crlf(...HEAD, `a=x:${"y".repeat(5000)}`), "longer than");
    const streams = Array.from({ length: 33 }, (_, i) => `m=audio ${5000 + 2 * i} RTP/AVP 0`);
    fails(crlf(...HEAD, ...streams), "more than 32 m= lines");
    const tight = parseSdp(SIPP_OFFER, { maxBytes: 50 });
    assert.equal(tight.ok, false);
  });
});

describe("formatSdp", () => {
  it("writes CRLF lines in RFC 4566 order", () => {
    const text = formatSdp(ok(VIDEO_AUDIO_OFFER));
    assert.ok(text.endsWith("\r\n"));
    assert.equal(text.split("\r\n").length, VIDEO_AUDIO_OFFER.split("\r\n").length);
    assert.ok(!/[^\r]\n/.test(text), "bare LF in output");
    assert.equal(
      text,
      VIDEO_AUDIO_OFFER.replace(
        "a=rtcp:10373 IN IP4 192.168.17.41\r\na=ptime:20",
        "a=ptime:20\r\na=rtcp:10373 IN IP4 192.168.17.41",
      ),
    );
  });

  it("round-trips every fixture through format and parse", () => {
    for (const body of [SIPP_OFFER, BARESIP_OFFER, VIDEO_AUDIO_OFFER, IPV6_DYNAMIC_OFFER]) {
      const once = ok(body);
      assert.deepEqual(ok(formatSdp(once)), once);
    }
  });

  it("emits the sipp offer byte for byte", () => {
    assert.equal(formatSdp(ok(SIPP_OFFER)), SIPP_OFFER);
  });

  it("never writes an empty s= and always a t=", () => {
    const d = ok(SIPP_OFFER);
    const text = formatSdp({ ...d, sessionName: "", timing: [] });
    assert.ok(text.includes("\r\ns= \r\n"));
    assert.ok(text.includes("\r\nt=0 0\r\n"));
  });

  it("refuses values that would forge lines", () => {
    const d = ok(SIPP_OFFER);
    assert.throws(() => formatSdp({ ...d, sessionName: "x\r\na=evil" }), RangeError);
  });
});

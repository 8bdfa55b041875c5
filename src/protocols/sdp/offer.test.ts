// Tests for our outbound offer and for reading the answers sipp and baresip would send back.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crlf } from "../../../test/fixtures/sdp.ts";
import { answerOffer } from "./answer.ts";
import type { LocalAudio, NegotiatedAudio } from "./audio.ts";
import { formatSdp } from "./format.ts";
import { createOffer, parseAnswer } from "./offer.ts";
import { parseSdp } from "./parse.ts";
import type { SessionDescription } from "./types.ts";

const LOCAL: LocalAudio = {
  address: "192.0.2.5",
  port: 30000,
  sessionId: "3920039201",
  sessionVersion: 3920039201n,
  codecs: ["PCMA", "PCMU", "PCMA"],
  telephoneEvent: true,
  ptime: 20,
};

function sdp(text: string): SessionDescription {
  const r = parseSdp(text);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.value;
}

function answerBody(...media: string[]): SessionDescription {
  return sdp(crlf("v=0", "o=- 9 9 IN IP4 10.0.0.7", "s=-", "c=IN IP4 10.0.0.7", "t=0 0", ...media));
}

function negotiated(answer: SessionDescription, offer = createOffer(LOCAL)): NegotiatedAudio {
  const r = parseAnswer(answer, offer);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.value;
}

function refused(answer: SessionDescription, includes: string): void {
  const r = parseAnswer(answer, createOffer(LOCAL));
  assert.equal(r.ok, false);
  if (!r.ok) assert.ok(r.error.includes(includes), r.error);
}

describe("createOffer", () => {
  it("offers our codecs once each in order, then telephone-event 101", () => {
    assert.equal(
      formatSdp(createOffer(LOCAL)),
      crlf(
        "v=0",
        "o=- 3920039201 3920039201 IN IP4 192.0.2.5",
        "s=-",
        "c=IN IP4 192.0.2.5",
        "t=0 0",
        "m=audio 30000 RTP/AVP 8 0 101",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-15",
        "a=ptime:20",
        "a=sendrecv",
      ),
    );
  });

  it("can offer hold and omit telephone-event", () => {
    const m = createOffer({ ...LOCAL, telephoneEvent: false, direction: "sendonly" }).media[0]!;
    assert.deepEqual(m.formats, ["8", "0"]);
    assert.equal(m.direction, "sendonly");
  });
});

describe("parseAnswer", () => {
  it("reads a sipp-style answer with one static codec and no rtpmap", () => {
    assert.deepEqual(negotiated(answerBody("m=audio 6000 RTP/AVP 0")), {
      remote: { address: "10.0.0.7", port: 6000 },
      codec: "PCMU",
      payloadType: 0,
      direction: "sendrecv",
      ptime: 20,
    });
  });

  it("takes the first G.711 format and telephone-event named only in our offer", () => {
    const media = negotiated(
      answerBody(
        "m=audio 10372 RTP/AVP 9 8 0 101",
        "a=rtpmap:9 G722/8000",
        "a=ptime:30",
        "a=rtcp:10999",
      ),
    );
    assert.equal(media.codec, "PCMA");
    assert.equal(media.payloadType, 8);
    assert.equal(media.telephoneEventPt, 101);
    assert.equal(media.remotePtime, 30);
    assert.deepEqual(media.remoteRtcp, { address: "10.0.0.7", port: 10999 });
  });

  it("ignores telephone-event in the answer when we did not offer it", () => {
    const offer = createOffer({ ...LOCAL, telephoneEvent: false });
    const answer = answerBody("m=audio 6000 RTP/AVP 0 101", "a=rtpmap:101 telephone-event/8000");
    assert.equal(negotiated(answer, offer).telephoneEventPt, undefined);
  });

  it("derives our direction from the answer's", () => {
    const dir = (attr: string, local: LocalAudio = LOCAL) =>
      negotiated(answerBody("m=audio 6000 RTP/AVP 0", attr), createOffer(local)).direction;
    assert.equal(dir("a=recvonly"), "sendonly");
    assert.equal(dir("a=sendonly"), "recvonly");
    assert.equal(dir("a=inactive"), "inactive");
    assert.equal(dir("a=recvonly", { ...LOCAL, direction: "sendonly" }), "sendonly");
    const nullAddr = sdp(
      formatSdp(answerBody("m=audio 6000 RTP/AVP 0")).replace("10.0.0.7\r\nt", "0.0.0.0\r\nt"),
    );
    assert.equal(negotiated(nullAddr).direction, "recvonly");
  });

  it("reads the answer our own answerer gives to our own offer", () => {
    const offer = createOffer(LOCAL);
    const peer = { ...LOCAL, address: "198.51.100.9", port: 41000, codecs: ["PCMU" as const] };
    const result = answerOffer(sdp(formatSdp(offer)), peer);
    assert.ok(result.ok);
    const media = negotiated(sdp(formatSdp(result.answer)), offer);
    assert.equal(media.codec, "PCMU");
    assert.equal(media.telephoneEventPt, 101);
    assert.deepEqual(media.remote, { address: "198.51.100.9", port: 41000 });
  });

  it("refuses answers that do not fit the offer", () => {
    refused(answerBody("m=audio 0 RTP/AVP 0"), "rejected the audio stream");
    refused(answerBody("m=audio 6000 RTP/AVP 0", "m=video 0 RTP/AVP 96"), "2 m= lines");
    refused(answerBody("m=video 6000 RTP/AVP 0"), "not audio RTP/AVP");
    refused(
      answerBody("m=audio 6000 RTP/AVP 9 101"),
      "no PCMU or PCMA: G722/8000, telephone-event/8000",
    );
    const noAddr = sdp(
      crlf("v=0", "o=- 9 9 IN IP4 10.0.0.7", "s=-", "t=0 0", "m=audio 6000 RTP/AVP 0"),
    );
    refused(noAddr, "no c= address");
    const noAudioOffer = { ...createOffer(LOCAL), media: [] };
    const r = parseAnswer({ ...answerBody(), media: [] }, noAudioOffer);
    assert.deepEqual(r, { ok: false, error: "the offer has no RTP/AVP or RTP/SAVP audio stream" });
  });
});

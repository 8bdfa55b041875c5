// Tests for the RFC 3264 answerer against offers shaped like sipp's and baresip's.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BARE_STATIC_OFFER,
  BARESIP_OFFER,
  crlf,
  IPV6_DYNAMIC_OFFER,
  NO_COMMON_OFFER,
  SAVP_OFFER,
  SIPP_OFFER,
  VIDEO_AUDIO_OFFER,
} from "../../../test/fixtures/sdp.ts";
import { type AnswerResult, answerOffer } from "./answer.ts";
import type { LocalAudio, NegotiatedAudio } from "./audio.ts";
import { formatSdp } from "./format.ts";
import { parseSdp } from "./parse.ts";
import type { SessionDescription } from "./types.ts";

const LOCAL: LocalAudio = {
  address: "192.0.2.5",
  port: 30000,
  sessionId: 4711,
  sessionVersion: 1,
  username: "omnivox",
  codecs: ["PCMU", "PCMA"],
  telephoneEvent: true,
  ptime: 20,
};

function sdp(text: string): SessionDescription {
  const r = parseSdp(text);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.value;
}

function accepted(r: AnswerResult): { answer: SessionDescription; media: NegotiatedAudio } {
  assert.ok(r.ok, r.ok ? "" : r.reason);
  return r;
}

function rejected(r: AnswerResult): string {
  assert.equal(r.ok, false);
  if (r.ok) return "";
  assert.equal(r.status, 488);
  return r.reason;
}

describe("answerOffer", () => {
  it("answers sipp's PCMU offer with exactly the expected body", () => {
    const { answer, media } = accepted(answerOffer(sdp(SIPP_OFFER), LOCAL));
    assert.deepEqual(media, {
      remote: { address: "10.0.0.7", port: 6000 },
      codec: "PCMU",
      payloadType: 0,
      direction: "sendrecv",
      ptime: 20,
    });
    assert.equal(
      formatSdp(answer),
      crlf(
        "v=0",
        "o=omnivox 4711 1 IN IP4 192.0.2.5",
        "s=-",
        "c=IN IP4 192.0.2.5",
        "t=0 0",
        "m=audio 30000 RTP/AVP 0",
        "a=rtpmap:0 PCMU/8000",
        "a=ptime:20",
        "a=sendrecv",
      ),
    );
  });

  it("accepts static payload types without rtpmap, choosing by OUR preference", () => {
    const offer = sdp(BARE_STATIC_OFFER); // offers 8 then 0
    assert.equal(accepted(answerOffer(offer, LOCAL)).media.codec, "PCMU");
    const alaw = accepted(answerOffer(offer, { ...LOCAL, codecs: ["PCMA", "PCMU"] })).media;
    assert.equal(alaw.codec, "PCMA");
    assert.equal(alaw.payloadType, 8);
    assert.equal(alaw.telephoneEventPt, undefined);
  });

  it("picks G.711 and telephone-event out of baresip's codec list", () => {
    const { answer, media } = accepted(
      answerOffer(sdp(BARESIP_OFFER), { ...LOCAL, codecs: ["PCMA"] }),
    );
    assert.equal(media.codec, "PCMA");
    assert.equal(media.payloadType, 8);
    assert.equal(media.telephoneEventPt, 101);
    assert.equal(media.remotePtime, 20);
    const m = answer.media[0]!;
    assert.deepEqual(m.formats, ["8", "101"]);
    assert.deepEqual(m.fmtp, [{ payloadType: 101, params: "0-15" }]);
    assert.ok(
      formatSdp(answer).includes("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"),
    );
  });

  it("keeps the offer's dynamic payload types and reads encoding names case-insensitively", () => {
    const { answer, media } = accepted(answerOffer(sdp(IPV6_DYNAMIC_OFFER), LOCAL));
    assert.equal(media.codec, "PCMU");
    assert.equal(media.payloadType, 97);
    assert.equal(media.telephoneEventPt, 98);
    assert.deepEqual(media.remote, { address: "2001:db8::10", port: 49170 });
    assert.deepEqual(answer.media[0]!.formats, ["97", "98"]);
    const v6 = accepted(answerOffer(sdp(IPV6_DYNAMIC_OFFER), { ...LOCAL, address: "2001:db8::5" }));
    assert.deepEqual(v6.answer.connection, { addrType: "IP6", address: "2001:db8::5" });
    assert.equal(v6.answer.origin.addrType, "IP6");
  });

  it("accepts comfort noise (RFC 3389) when offered and wanted, static or mapped", () => {
    const offer = SIPP_OFFER.replace("RTP/AVP 0", "RTP/AVP 0 13").concat("a=rtpmap:13 CN/8000\r\n");
    const yes = accepted(answerOffer(sdp(offer), { ...LOCAL, comfortNoise: true }));
    assert.equal(yes.media.comfortNoisePt, 13);
    assert.match(formatSdp(yes.answer), /m=audio 30000 RTP\/AVP 0 13\r\n/);
    assert.match(formatSdp(yes.answer), /a=rtpmap:13 CN\/8000/);
    const dynamic = SIPP_OFFER.replace("RTP/AVP 0", "RTP/AVP 0 98").concat(
      "a=rtpmap:98 cn/8000\r\n",
    );
    const mapped = accepted(answerOffer(sdp(dynamic), { ...LOCAL, comfortNoise: true }));
    assert.equal(mapped.media.comfortNoisePt, 98);
    const no = accepted(answerOffer(sdp(offer), LOCAL));
    assert.equal(no.media.comfortNoisePt, undefined);
    assert.doesNotMatch(formatSdp(no.answer), /CN/);
    const unoffered = accepted(answerOffer(sdp(SIPP_OFFER), { ...LOCAL, comfortNoise: true }));
    assert.equal(unoffered.media.comfortNoisePt, undefined);
  });

  it("leaves telephone-event out when we do not want it", () => {
    const { answer, media } = accepted(
      answerOffer(sdp(BARESIP_OFFER), { ...LOCAL, telephoneEvent: false }),
    );
    assert.equal(media.telephoneEventPt, undefined);
    assert.deepEqual(answer.media[0]!.formats, ["0"]);
  });

  it("rejects the video stream with port 0, keeping m= count and order", () => {
    const offer = sdp(VIDEO_AUDIO_OFFER);
    const { answer, media } = accepted(answerOffer(offer, LOCAL));
    assert.deepEqual(
      answer.media.map((m) => [m.media, m.port, m.proto, m.formats.join(" ")]),
      [
        ["video", 0, "RTP/AVP", "100 102"],
        ["audio", 30000, "RTP/AVP", "0 101"],
      ],
    );
    assert.deepEqual(media.remoteRtcp, { address: "192.168.17.41", port: 10373 });
    assert.ok(formatSdp(answer).includes("\r\nm=video 0 RTP/AVP 100 102\r\nm=audio 30000"));
  });

  it("accepts only the first usable audio stream and skips disabled ones", () => {
    const offer = sdp(
      crlf(
        "v=0",
        "o=- 5 5 IN IP4 10.1.1.1",
        "s=-",
        "c=IN IP4 10.1.1.1",
        "t=3034423619 0",
        "m=audio 0 RTP/AVP 0",
        "m=audio 4000 RTP/SAVP 0",
        "m=audio 4002 RTP/AVP 8",
        "m=audio 4004 RTP/AVP 0",
      ),
    );
    const { answer, media } = accepted(answerOffer(offer, LOCAL));
    assert.deepEqual(
      answer.media.map((m) => m.port),
      [0, 0, 30000, 0],
    );
    assert.equal(media.remote.port, 4002);
    assert.equal(media.codec, "PCMA");
    assert.deepEqual(answer.timing, [{ start: "3034423619", stop: "0" }]);
  });

  it("answers hold and one-way offers with the mirrored direction", () => {
    const base = SIPP_OFFER.trimEnd();
    const cases: [string, string][] = [
      ["a=sendonly", "recvonly"],
      ["a=recvonly", "sendonly"],
      ["a=inactive", "inactive"],
      ["a=sendrecv", "sendrecv"],
    ];
    for (const [attr, want] of cases) {
      const { answer, media } = accepted(answerOffer(sdp(`${base}\r\n${attr}\r\n`), LOCAL));
      assert.equal(media.direction, want, attr);
      assert.equal(answer.media[0]!.direction, want, attr);
    }
    // A session-level attribute applies to streams without their own.
    const session = sdp(SIPP_OFFER.replace("t=0 0\r\n", "t=0 0\r\na=sendonly\r\n"));
    assert.equal(accepted(answerOffer(session, LOCAL)).media.direction, "recvonly");
  });

  it("treats c=0.0.0.0 as the old-style hold: we do not send", () => {
    const held = sdp(SIPP_OFFER.replaceAll("c=IN IP4 10.0.0.7", "c=IN IP4 0.0.0.0"));
    const { answer, media } = accepted(answerOffer(held, LOCAL));
    assert.equal(media.direction, "recvonly");
    assert.equal(media.remote.address, "0.0.0.0");
    assert.equal(answer.connection?.address, "192.0.2.5");
  });

  it("puts the peer on hold when we ask for sendonly", () => {
    const r = accepted(answerOffer(sdp(SIPP_OFFER), { ...LOCAL, direction: "sendonly" }));
    assert.equal(r.media.direction, "sendonly");
    const both = accepted(
      answerOffer(sdp(`${SIPP_OFFER}a=sendonly\r\n`), { ...LOCAL, direction: "sendonly" }),
    );
    assert.equal(both.media.direction, "inactive");
  });

  it("fails with 488 naming the offered codecs when none is common", () => {
    const reason = rejected(answerOffer(sdp(NO_COMMON_OFFER), LOCAL));
    assert.ok(reason.includes("no common codec"), reason);
    assert.ok(reason.includes("opus/48000/2, G722/8000, telephone-event/48000"), reason);
    assert.ok(reason.includes("PCMU, PCMA"), reason);
    // An unknown static number is still named.
    const gsm = sdp(
      SIPP_OFFER.replace("RTP/AVP 0", "RTP/AVP 3 35").replace("a=rtpmap:0 PCMU/8000\r\n", ""),
    );
    assert.ok(rejected(answerOffer(gsm, LOCAL)).includes("GSM/8000, payload type 35"));
  });

  it("fails with 488 on SRTP-only offers", () => {
    assert.ok(rejected(answerOffer(sdp(SAVP_OFFER), LOCAL)).includes("SRTP (RTP/SAVP)"));
    const savpf = sdp(SAVP_OFFER.replace("RTP/SAVP", "UDP/TLS/RTP/SAVPF"));
    assert.ok(rejected(answerOffer(savpf, LOCAL)).includes("UDP/TLS/RTP/SAVPF"));
  });

  it("fails with 488 when there is no audio or no address", () => {
    const videoOnly = sdp(VIDEO_AUDIO_OFFER.slice(0, VIDEO_AUDIO_OFFER.indexOf("m=audio")));
    assert.equal(rejected(answerOffer(videoOnly, LOCAL)), "no audio stream offered");
    const noAddr = sdp(SIPP_OFFER.replace("c=IN IP4 10.0.0.7\r\n", ""));
    assert.ok(rejected(answerOffer(noAddr, LOCAL)).includes("c= address"));
    const tcp = sdp(SIPP_OFFER.replace("RTP/AVP 0", "TCP/RTP/AVP 0"));
    assert.ok(rejected(answerOffer(tcp, LOCAL)).includes("TCP/RTP/AVP"));
  });

  it("produces answers that parse back to the same description", () => {
    for (const body of [SIPP_OFFER, BARESIP_OFFER, VIDEO_AUDIO_OFFER, IPV6_DYNAMIC_OFFER]) {
      const { answer } = accepted(answerOffer(sdp(body), LOCAL));
      assert.deepEqual(sdp(formatSdp(answer)), answer);
    }
  });
});

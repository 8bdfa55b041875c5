// SDP bodies shaped like what real peers send (sipp's default UAC scenario, baresip with its usual
// codec modules, a softphone on IPv6), shared by the parser, offer/answer and fuzz tests.

export function crlf(...lines: string[]): string {
  return `${lines.join("\r\n")}\r\n`;
}

/** sipp's built-in uac scenario: one PCMU stream with its (redundant) static rtpmap. */
export const SIPP_OFFER = crlf(
  "v=0",
  "o=user1 53655765 2353687637 IN IP4 10.0.0.7",
  "s=-",
  "c=IN IP4 10.0.0.7",
  "t=0 0",
  "m=audio 6000 RTP/AVP 0",
  "a=rtpmap:0 PCMU/8000",
);

/** The same without any rtpmap: static payload types need none (RFC 3551 §6). */
export const BARE_STATIC_OFFER = crlf(
  "v=0",
  "o=- 1 1 IN IP4 10.0.0.8",
  "s=-",
  "c=IN IP4 10.0.0.8",
  "t=0 0",
  "m=audio 7078 RTP/AVP 8 0",
);

/** baresip with opus, g722 and g711 loaded: many codecs, RTCP multiplexing hints, ssrc lines. */
export const BARESIP_OFFER = crlf(
  "v=0",
  "o=- 1702383118 2131236042 IN IP4 192.168.17.40",
  "s=-",
  "c=IN IP4 192.168.17.40",
  "t=0 0",
  "a=tool:baresip 3.10.1",
  "m=audio 10372 RTP/AVP 96 9 0 8 101",
  "b=AS:104",
  "a=rtpmap:96 opus/48000/2",
  "a=fmtp:96 stereo=1;sprop-stereo=1",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-15",
  "a=sendrecv",
  "a=label:1",
  "a=rtcp-rsize",
  "a=ssrc:2863961123 cname:d5b1c0a2-9e0f-4b6e-a1c3-6f3e2b7d9a10",
  "a=ptime:20",
);

/** baresip with a video module loaded: the video stream comes first. */
export const VIDEO_AUDIO_OFFER = crlf(
  "v=0",
  "o=- 3719201 3719201 IN IP4 192.168.17.40",
  "s=-",
  "c=IN IP4 192.168.17.40",
  "t=0 0",
  "m=video 10374 RTP/AVP 100 102",
  "b=AS:1000",
  "a=rtpmap:100 H264/90000",
  "a=fmtp:100 packetization-mode=0;profile-level-id=42e01f",
  "a=rtpmap:102 VP8/90000",
  "a=sendrecv",
  "m=audio 10372 RTP/AVP 9 0 8 101",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-15",
  "a=rtcp:10373 IN IP4 192.168.17.41",
  "a=ptime:20",
);

/** A wideband-only phone: nothing we can decode. */
export const NO_COMMON_OFFER = crlf(
  "v=0",
  "o=- 42 42 IN IP4 172.16.0.9",
  "s=call",
  "c=IN IP4 172.16.0.9",
  "t=0 0",
  "m=audio 16384 RTP/AVP 96 9 97",
  "a=rtpmap:96 opus/48000/2",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:97 telephone-event/48000",
);

/** An SRTP-only offer (SDES keys): we have no SRTP. */
export const SAVP_OFFER = crlf(
  "v=0",
  "o=- 7 7 IN IP4 172.16.0.9",
  "s=-",
  "c=IN IP4 172.16.0.9",
  "t=0 0",
  "m=audio 16384 RTP/SAVP 0 8",
  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
);

/** A softphone on IPv6 using a dynamic payload type for PCMU and lower-case names. */
export const IPV6_DYNAMIC_OFFER = crlf(
  "v=0",
  "o=alice 2890844526 2890844527 IN IP6 2001:db8::10",
  "s= ",
  "c=IN IP6 2001:db8::10",
  "t=0 0",
  "m=audio 49170 RTP/AVP 97 98",
  "a=rtpmap:97 pcmu/8000",
  "a=rtpmap:98 Telephone-Event/8000",
  "a=fmtp:98 0-16",
);

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeEntities, StreamParser, XmlStreamError } from "./parser.ts";
import { child, text, toXml, type XmlElement, xml } from "./xml.ts";

const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' id='x1'>";

function collect(maxStanzaBytes?: number) {
  const got = {
    root: undefined as XmlElement | undefined,
    stanzas: [] as XmlElement[],
    ended: false,
  };
  const parser = new StreamParser(
    {
      streamStart: (r) => {
        got.root = r;
      },
      stanza: (s) => got.stanzas.push(s),
      streamEnd: () => {
        got.ended = true;
      },
    },
    maxStanzaBytes === undefined ? {} : { maxStanzaBytes },
  );
  return { parser, got };
}

function condition(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof XmlStreamError);
    return err.condition;
  }
  return "none";
}

test("parses header, stanzas and stream end, across any split of the bytes", () => {
  const input = `${HEADER} <message to='a@b' from="c&amp;d"><body>1 &lt; 2 &#x263A; &#233;</body><x xmlns='urn:x'><![CDATA[<raw>]]></x></message>\n<presence/></stream:stream>`;
  const bytes = Buffer.from(input);
  for (const step of [1, 2, 3, 7, bytes.length]) {
    const { parser, got } = collect();
    for (let i = 0; i < bytes.length; i += step) parser.write(bytes.subarray(i, i + step));
    assert.equal(got.root?.attrs.id, "x1");
    assert.equal(got.stanzas.length, 2, `step ${step}`);
    const message = got.stanzas[0] as XmlElement;
    assert.equal(message.attrs.from, "c&d");
    assert.equal(text(child(message, "body")), "1 < 2 ☺ é");
    assert.equal(text(child(message, "x", "urn:x")), "<raw>");
    assert.equal(got.stanzas[1]?.name, "presence");
    assert.ok(got.ended);
  }
});

test("what toXml writes parses back to the same tree", () => {
  const el = xml(
    "message",
    { to: `a"b'<>&`, id: "1" },
    xml("body", {}, 'x < y & "z" ]]> 🎉'),
    xml("e"),
  );
  const { parser, got } = collect();
  parser.write(`${HEADER}${toXml(el)}`);
  assert.deepEqual(got.stanzas[0], el);
});

test("broken markup is not-well-formed", () => {
  for (const bad of [
    "<message><body></message>",
    "<message a='1' a='2'/>",
    "<message a=1/>",
    "<1message/>",
    "<message>&bogus</message>",
    "<message>&#0;</message>",
    "stray text",
    "<message>\u0001</message>",
    "<message a='<'/>",
    "</stream:other>",
  ]) {
    const { parser } = collect();
    assert.equal(
      condition(() => parser.write(HEADER + bad)),
      "not-well-formed",
      bad,
    );
  }
  const { parser } = collect();
  assert.equal(
    condition(() => parser.write(Buffer.from([0x3c, 0x61, 0xff, 0x3e]))),
    "not-well-formed",
  );
});

test("comments, processing instructions, DTDs and named entities are restricted-xml", () => {
  for (const bad of ["<!-- hi -->", "<?php x ?>", "<!DOCTYPE x>", "<message>&nbsp;</message>"]) {
    const { parser } = collect();
    assert.equal(
      condition(() => parser.write(HEADER + bad)),
      "restricted-xml",
      bad,
    );
  }
});

test("a stanza over the limit is a policy-violation before it is all buffered", () => {
  const { parser, got } = collect(1024);
  parser.write(HEADER);
  parser.write(`<message><body>${"a".repeat(900)}</body></message>`);
  assert.equal(got.stanzas.length, 1);
  parser.write("<message><body>");
  assert.equal(
    condition(() => parser.write("b".repeat(1100))),
    "policy-violation",
  );
  // the parser stays failed
  assert.equal(
    condition(() => parser.write("<presence/>")),
    "policy-violation",
  );
});

test("whitespace keepalives between stanzas do not count towards the limit", () => {
  const { parser, got } = collect(300);
  parser.write(HEADER);
  for (let i = 0; i < 100; i++) parser.write("    ");
  parser.write("<presence/>");
  assert.equal(got.stanzas.length, 1);
});

test("decodeEntities refuses references to characters XML forbids", () => {
  assert.equal(decodeEntities("&quot;&apos;&#65;"), "\"'A");
  assert.throws(() => decodeEntities("&#xD800;"), XmlStreamError);
  assert.throws(() => decodeEntities("&#x110000;"), XmlStreamError);
});

test("with onOversized a stanza over the size or depth limit is skipped, the stream goes on", () => {
  const stanzas: XmlElement[] = [];
  const skipped: Array<[string, string | undefined, string]> = [];
  const parser = new StreamParser(
    { streamStart: () => {}, stanza: (s) => stanzas.push(s), streamEnd: () => {} },
    {
      maxStanzaBytes: 1024,
      maxDepth: 8,
      onOversized: (top, reason) => skipped.push([top.name, top.attrs.id, reason]),
    },
  );
  parser.write(HEADER);
  parser.write("<message id='big'><body>");
  // text and tags past the limit arrive in pieces and are dropped as they come
  for (let i = 0; i < 50; i++) parser.write(`${"z".repeat(500)}<b>x</b><![CDATA[<]]>`);
  parser.write("</body></message>");
  // one text run longer than the whole limit, in chunks bigger than what is left of it
  parser.write("<message id='long'><body>");
  for (let i = 0; i < 3; i++) parser.write("y".repeat(700));
  parser.write("</body></message>");
  parser.write(`<message id='deep'>${"<a>".repeat(20)}${"</a>".repeat(20)}</message>`);
  parser.write("<message id='ok'><body>fine</body></message>");
  assert.deepEqual(skipped, [
    ["message", "big", "stanza larger than 1024 bytes"],
    ["message", "long", "stanza larger than 1024 bytes"],
    ["message", "deep", "elements nested too deep"],
  ]);
  assert.deepEqual(
    stanzas.map((s) => s.attrs.id),
    ["ok"],
  );
  // one tag over the limit cannot be skipped without buffering it: the stream fails
  assert.equal(
    condition(() => parser.write(`<message id='${"q".repeat(2000)}`)),
    "policy-violation",
  );
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { child, children, childText, localName, text, toOpenTag, toXml, xml } from "./xml.ts";

test("xml() drops undefined attributes and false children, flattens arrays", () => {
  const el = xml(
    "message",
    { to: "a@b", id: undefined, n: 3 },
    false,
    [xml("body", {}, "x")],
    null,
  );
  assert.deepEqual(el, {
    name: "message",
    attrs: { to: "a@b", n: "3" },
    children: [{ name: "body", attrs: {}, children: ["x"] }],
  });
  assert.equal(toXml(el), '<message to="a@b" n="3"><body>x</body></message>');
  assert.equal(toOpenTag(xml("stream:stream", { to: "x" })), '<stream:stream to="x">');
});

test("toXml escapes markup and drops characters XML cannot carry", () => {
  const el = xml("m", { a: `"'<&>` }, "a<b>&c\u0001\uFFFE\uD800 ok 🎉");
  assert.equal(toXml(el), '<m a="&quot;&apos;&lt;&amp;&gt;">a&lt;b&gt;&amp;c ok 🎉</m>');
});

test("child lookup by local name and namespace", () => {
  const el = xml(
    "message",
    {},
    xml("body", {}, "hi ", "there"),
    xml("x", { xmlns: "urn:a" }),
    xml("stream:x"),
  );
  assert.equal(childText(el, "body"), "hi there");
  assert.equal(childText(el, "subject"), undefined);
  assert.ok(child(el, "x", "urn:a"));
  assert.equal(child(el, "x", "urn:b"), undefined);
  assert.equal(children(el, "x").length, 2);
  assert.equal(localName(children(el)[2]!), "x");
  assert.equal(text(undefined), "");
});

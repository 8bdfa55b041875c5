import assert from "node:assert/strict";
import { test } from "node:test";
import { htmlNestingDepth, stripHtml } from "./html-text.ts";

test("nesting depth counts elements that must be closed, not void or optional-end ones", () => {
  assert.equal(htmlNestingDepth("plain text"), 0);
  assert.equal(htmlNestingDepth("<div><span>a</span></div>"), 2);
  assert.equal(htmlNestingDepth("<p>a<p>b<p>c<br><img src=x><hr/>"), 0);
  assert.equal(htmlNestingDepth("<div><div/><div>x</div></div>"), 2);
  assert.equal(htmlNestingDepth('<div title="a>b"><b>x</b></div>'), 2);
  // Tags inside comments and scripts are not tags.
  assert.equal(htmlNestingDepth("<!-- <div><div><div> --><script><div><div></script>"), 1);
  assert.equal(htmlNestingDepth(`${"<div>".repeat(50)}x${"</div>".repeat(50)}`), 50);
  assert.equal(htmlNestingDepth("<div>".repeat(10_000), 300), 300, "stops at the limit");
  assert.equal(htmlNestingDepth("a < b and c<d"), 1, "a bare < is text; <d opens");
});

test("stripHtml keeps the text, lines for blocks, drops scripts, styles and the head", () => {
  const html =
    "<html><head><title>T</title><style>p{color:red}</style></head><body>" +
    "<h1>Hello&nbsp;there</h1><p>First &amp; <b>bold</b></p><p>Second&#33; &#x263A;</p>" +
    "<table><tr><td>a</td><td>b</td></tr></table><script>alert('<p>x</p>')</script>" +
    "<!-- hidden --> 1 &lt; 2</body></html>";
  assert.equal(stripHtml(html), "Hello there\n\nFirst & bold\n\nSecond! ☺\n\na b\n\n1 < 2");
});

test("stripHtml survives broken markup", () => {
  assert.equal(stripHtml("<div"), "");
  assert.equal(stripHtml("a <b"), "a");
  assert.equal(stripHtml("<!-- never closed"), "");
  assert.equal(stripHtml("x<script>never closed"), "x");
  assert.equal(stripHtml("5 < 6 &bogus; &#0; &#xD800;"), "5 < 6 &bogus; \uFFFD \uFFFD");
});

test("300,000 nested elements are measured and stripped in one pass", () => {
  const n = 300_000;
  const html = `<html><body>${"<div>".repeat(n)}deep text${"</div>".repeat(n)}</body></html>`;
  assert.equal(htmlNestingDepth(html, 256), 256);
  assert.equal(htmlNestingDepth(html), n);
  assert.equal(stripHtml(html), "deep text");
});

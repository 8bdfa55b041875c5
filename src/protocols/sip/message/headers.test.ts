import assert from "node:assert/strict";
import { test } from "node:test";
import { SipHeaders } from "./headers.ts";

test("keeps order and multiple values; lookups ignore case and accept compact forms", () => {
  const h = new SipHeaders().add("Via", "a").add("To", "t").add("v", "b").add("VIA", "c");
  assert.deepEqual(h.getAll("via"), ["a", "b", "c"]);
  assert.equal(h.get("V"), "a");
  assert.equal(h.count("Via"), 3);
  assert.equal(h.get("t"), "t");
  assert.deepEqual(
    [...h].map((e) => e.key),
    ["via", "to", "via", "via"],
  );
  assert.equal(h.get("missing"), undefined);
  assert.equal(h.has("i"), false);
});

test("set replaces all values at the first position; delete and prepend", () => {
  const h = new SipHeaders().add("X-A", "1").add("X-B", "2").add("x-a", "3");
  h.set("x-A", "x");
  assert.deepEqual(h.toJSON(), [
    ["x-A", "x"],
    ["X-B", "2"],
  ]);
  h.set("X-C", "new");
  assert.equal(h.size, 3);
  assert.equal(h.delete("x-b"), 1);
  assert.equal(h.delete("x-b"), 0);
  h.add("Via", "2").prepend("v", "1");
  assert.deepEqual(h.getAll("via"), ["1", "2"]);
});

test("single letters are compact forms: b is Referred-By, not a header named B", () => {
  const h = new SipHeaders().add("b", "<sip:w@h>");
  assert.equal(h.get("Referred-By"), "<sip:w@h>");
  assert.deepEqual(h.toJSON(), [["Referred-By", "<sip:w@h>"]]);
});

test("clone is independent; toJSON uses canonical names for known headers", () => {
  const h = new SipHeaders().add("call-id", "x").add("cseq", "1 INVITE").add("X-Custom", "y");
  const c = h.clone();
  c.set("call-id", "z");
  assert.equal(h.get("call-id"), "x");
  assert.deepEqual(h.toJSON(), [
    ["Call-ID", "x"],
    ["CSeq", "1 INVITE"],
    ["X-Custom", "y"],
  ]);
});

// The Diversion header (RFC 5806 §3): the station and host as given, the reason defaulted, and
// anything that could inject a header refused.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ValidationError } from "../../../core/errors.ts";
import { diversionHeader } from "./diversion.ts";

test("Diversion names the station (RFC 5806); anything that could inject is refused", () => {
  assert.equal(
    diversionHeader({ station: "2001", host: "pbx.example" }),
    "<sip:2001@pbx.example>;reason=no-answer;counter=1",
  );
  assert.equal(
    diversionHeader({ station: "+15550001", host: "10.0.0.1:5080", reason: "user-busy" }),
    "<sip:+15550001@10.0.0.1:5080>;reason=user-busy;counter=1",
  );
  assert.throws(() => diversionHeader({ station: "20>01", host: "x" }), ValidationError);
  assert.throws(() => diversionHeader({ station: "1", host: "a\r\nB: c" }), ValidationError);
});

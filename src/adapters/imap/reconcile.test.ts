// The single inbox's mapping and its loop guard, without a server: what a read, a flag, a delete
// on either side turns into, that our own change coming back is no new change, and that nothing
// is deleted on first sight.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Agreed, type MailSide, reconcile, type VoicemailSide } from "./reconcile.ts";

const mail = (uid: number, flags: Partial<Omit<MailSide, "uids">> = {}): MailSide => ({
  uids: [uid],
  seen: false,
  flagged: false,
  deleted: false,
  ...flags,
});
const vm = (id: string, state: VoicemailSide["state"] = "new"): VoicemailSide => ({ id, state });
const paired = (read = false): Agreed => ({ mail: true, voicemail: true, read });
const map = <T>(entries: Record<string, T>) => new Map(Object.entries(entries));

describe("reconcile", () => {
  it("carries \\Seen and \\Flagged in the mail to a saved voicemail, once", () => {
    for (const flags of [{ seen: true }, { flagged: true }]) {
      const plan = reconcile(
        map({ c1: paired() }),
        map({ c1: mail(7, flags) }),
        map({ c1: vm("v1") }),
      );
      assert.deepEqual(plan.actions, [{ kind: "markSaved", voicemailId: "v1" }]);
      assert.deepEqual(plan.agreed.get("c1"), paired(true));
      // Our save comes back as mailboxChanged: the next round finds nothing to do.
      const echo = reconcile(
        plan.agreed,
        map({ c1: mail(7, flags) }),
        map({ c1: vm("v1", "saved") }),
      );
      assert.deepEqual(echo.actions, []);
    }
  });

  it("carries a voicemail saved here to \\Seen on every copy of its mail, and the echo is quiet", () => {
    const copies: MailSide = { ...mail(3), uids: [3, 9] };
    const plan = reconcile(
      map({ c1: paired() }),
      map({ c1: copies }),
      map({ c1: vm("v1", "saved") }),
    );
    assert.deepEqual(plan.actions, [{ kind: "setSeen", uids: [3, 9] }]);
    const echo = reconcile(
      plan.agreed,
      map({ c1: { ...copies, seen: true } }),
      map({ c1: vm("v1", "saved") }),
    );
    assert.deepEqual(echo.actions, []);
  });

  it("leaves a mail marked unread again alone: read stays read, no ping-pong", () => {
    const plan = reconcile(
      map({ c1: paired(true) }),
      map({ c1: mail(3) }),
      map({ c1: vm("v1", "saved") }),
    );
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.agreed.get("c1")?.read, true);
  });

  it("deletes the voicemail when its mail is \\Deleted or gone, and the mail when the voicemail goes", () => {
    const gone = reconcile(map({ c1: paired() }), new Map(), map({ c1: vm("v1") }));
    // Gone without \Deleted: expunged, or moved; the watcher looks where before it deletes.
    assert.deepEqual(gone.actions, [
      { kind: "mailGone", voicemailId: "v1", communicationId: "c1" },
    ]);
    assert.equal(gone.agreed.has("c1"), false);
    const flagged = reconcile(
      map({ c1: paired() }),
      map({ c1: mail(4, { deleted: true }) }),
      map({ c1: vm("v1") }),
    );
    assert.deepEqual(flagged.actions, [{ kind: "deleteVoicemail", voicemailId: "v1" }]);
    const removed = reconcile(
      map({ c1: paired(true) }),
      map({ c1: mail(4, { seen: true }) }),
      new Map(),
    );
    assert.deepEqual(removed.actions, [{ kind: "deleteMail", uids: [4] }]);
    // Both gone: nothing left to do or to remember.
    const both = reconcile(gone.agreed, new Map(), new Map());
    assert.deepEqual(both.actions, []);
    assert.equal(both.agreed.size, 0);
  });

  it("deletes nothing on first sight: a mail on its way, a mail of someone else's voicemail", () => {
    const waiting = reconcile(new Map(), new Map(), map({ c1: vm("v1") }));
    assert.deepEqual(waiting.actions, []);
    assert.deepEqual(waiting.agreed.get("c1"), { mail: false, voicemail: true, read: false });
    const foreign = reconcile(new Map(), map({ c9: mail(1, { seen: true }) }), new Map());
    assert.deepEqual(foreign.actions, []);
    // The mail arrives: now they pair, and the unread mail of a new voicemail needs nothing.
    const arrived = reconcile(waiting.agreed, map({ c1: mail(2) }), map({ c1: vm("v1") }));
    assert.deepEqual(arrived.actions, []);
    assert.deepEqual(arrived.agreed.get("c1"), paired(false));
  });

  it("merges toward read when the two first meet (a message heard by phone before its mail came)", () => {
    const plan = reconcile(
      map({ c1: { mail: false, voicemail: true, read: false } }),
      map({ c1: mail(2) }),
      map({ c1: vm("v1", "saved") }),
    );
    assert.deepEqual(plan.actions, [{ kind: "setSeen", uids: [2] }]);
    const flagged = reconcile(
      new Map(),
      map({ c1: mail(2, { flagged: true }) }),
      map({ c1: vm("v1", "saved") }),
    );
    // Flagged but unseen, already saved here: \Seen is set, nothing else.
    assert.deepEqual(flagged.actions, [{ kind: "setSeen", uids: [2] }]);
  });

  it("keeps every voicemail to itself: one's change never touches another", () => {
    const plan = reconcile(
      map({ a: paired(), b: paired() }),
      map({ a: mail(1, { seen: true }), b: mail(2) }),
      map({ a: vm("va"), b: vm("vb") }),
    );
    assert.deepEqual(plan.actions, [{ kind: "markSaved", voicemailId: "va" }]);
  });
});

// A `call-action` frame (README "Internet call waiting") handed to whoever holds the calls, and
// its refusal written back as an `error` reply naming the field at fault.

import type { CallActions, ClientRef, IcwAction } from "../../core/call-waiting.ts";
import type { CallActionFrame, ReplyFrame } from "./frames.ts";

/** Nothing on success, an `error` reply otherwise; without call waiting no call is waiting. */
export async function callActionReply(
  actions: CallActions | undefined,
  frame: CallActionFrame,
  client: ClientRef,
): Promise<ReplyFrame | undefined> {
  const { callId } = frame;
  if (!actions) return { type: "error", callId, message: "no call is waiting" };
  const action: IcwAction =
    frame.action === "voicemail"
      ? { action: "voicemail" }
      : frame.action === "reply"
        ? { action: "reply", text: frame.text }
        : { action: frame.action, to: frame.to };
  const refused = await actions.act(client, callId, action);
  if (!refused) return undefined;
  return {
    type: "error",
    callId,
    message: refused.message,
    ...(refused.field ? { field: refused.field } : {}),
  };
}

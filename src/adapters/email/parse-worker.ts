// The body of a mail parser thread (started by parser-pool.ts through media/worker-pool.ts):
// MIME parsing and HTML-to-text run here, away from the event loop that carries SIP, RTP and
// HTTP. One message at a time.

import { serveJobs } from "../../media/worker-thread.ts";
import {
  htmlToPlain,
  type InboundMail,
  overHtmlLimits,
  parseMime,
  strippedHtml,
  withBodyText,
} from "./parse-mail.ts";
import type { ParserInput, ParserProgress, ParserWorkerData } from "./parser-pool.ts";

serveJobs<ParserWorkerData, ParserInput, InboundMail, ParserProgress>(
  async (input, { data, progress }) => {
    const raw = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const parsed = await parseMime(raw);
    if (parsed.html === undefined) return parsed.mail;
    const over = overHtmlLimits(parsed.html, data);
    if (over) return strippedHtml(parsed, over);
    // What the pool stores if the conversion below runs over the budget and this thread is
    // terminated: made now, while it is cheap, so the main thread never has to.
    progress(strippedHtml(parsed, `the conversion took longer than ${data.budgetMs} ms`));
    return withBodyText(parsed, htmlToPlain(parsed.html));
  },
);

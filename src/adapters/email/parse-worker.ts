// The body of a mail parser thread (started by parser-pool.ts): MIME parsing and HTML-to-text
// run here, away from the event loop that carries SIP, RTP and HTTP. One message at a time.

import { parentPort, workerData } from "node:worker_threads";
import {
  type HtmlLimits,
  htmlToPlain,
  overHtmlLimits,
  parseMime,
  strippedHtml,
  withBodyText,
} from "./parse-mail.ts";
import type { FromParser, ParserWorkerData, ToParser } from "./parser-pool.ts";

const port = parentPort;
if (port) {
  const data = workerData as ParserWorkerData;
  const limits: HtmlLimits = { maxHtmlBytes: data.maxHtmlBytes, maxHtmlDepth: data.maxHtmlDepth };
  const post = (msg: FromParser) => port.postMessage(msg);

  port.on("message", (job: ToParser) => {
    void (async () => {
      try {
        const raw = Buffer.from(job.raw.buffer, job.raw.byteOffset, job.raw.byteLength);
        const parsed = await parseMime(raw);
        if (parsed.html === undefined) return post({ type: "done", id: job.id, mail: parsed.mail });
        const over = overHtmlLimits(parsed.html, limits);
        if (over) return post({ type: "done", id: job.id, mail: strippedHtml(parsed, over) });
        // What the pool stores if the conversion below runs over the budget and this thread is
        // terminated: made now, while it is cheap, so the main thread never has to.
        const late = `the conversion took longer than ${data.budgetMs} ms`;
        post({ type: "parsed", id: job.id, fallback: strippedHtml(parsed, late) });
        post({ type: "done", id: job.id, mail: withBodyText(parsed, htmlToPlain(parsed.html)) });
      } catch (err) {
        post({
          type: "failed",
          id: job.id,
          message: err instanceof Error ? err.message : String(err),
        });
      }
    })();
  });
  post({ type: "ready" });
}

// An OpenAI-compatible `/v1/audio/transcriptions` server for tests that need a transcript but not
// speech recognition: it answers every POST with the same text, as whisper servers do.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface SttStub {
  /** The `speech.stt` configuration that reaches it. */
  config: { engine: "http"; url: string; model: string };
  close(): void;
}

export async function startSttStub(text: string): Promise<SttStub> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ text }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    config: { engine: "http", url: `http://127.0.0.1:${port}`, model: "whisper-1" },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

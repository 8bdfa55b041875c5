// Test support: a line-level SMTP client (RFC 5321 replies, multi-line "250-" continuation) on a
// raw socket, for dialogues nodemailer will not produce (garbage, oversized DATA, slow replies).

import { connect, type Socket } from "node:net";

export interface Reply {
  code: number;
  text: string;
}

export class RawSmtpClient {
  readonly #socket: Socket;
  #buffer = "";
  #lines: string[] = [];
  #waiting: (() => void) | undefined;
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      let nl = this.#buffer.indexOf("\n");
      while (nl >= 0) {
        this.#lines.push(this.#buffer.slice(0, nl).replace(/\r$/, ""));
        this.#buffer = this.#buffer.slice(nl + 1);
        nl = this.#buffer.indexOf("\n");
      }
      this.#wake();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on("error", () => {});
  }

  /** Connects from `localAddress` (another 127.x address is another source) and reads the 220. */
  static async open(port: number, localAddress?: string): Promise<RawSmtpClient> {
    const client = await RawSmtpClient.connect(port, localAddress);
    const greeting = await client.reply();
    if (greeting.code !== 220)
      throw new Error(`unexpected greeting ${greeting.code} ${greeting.text}`);
    return client;
  }

  /** Connects without reading the greeting (which may be a refusal). */
  static async connect(port: number, localAddress?: string): Promise<RawSmtpClient> {
    const socket = connect({ port, host: "127.0.0.1", ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new RawSmtpClient(socket);
  }

  /** Resolves once the server has closed the connection. */
  closed(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#socket.once("close", () => resolve()));
  }

  /** Whether a reply line has arrived and not been read. */
  get hasPending(): boolean {
    return this.#lines.length > 0;
  }

  async reply(): Promise<Reply> {
    const text: string[] = [];
    for (;;) {
      const line = await this.#nextLine();
      const m = /^(\d{3})([ -])(.*)$/.exec(line);
      if (!m) throw new Error(`bad reply line: ${line}`);
      text.push(m[3] ?? "");
      if (m[2] === " ") return { code: Number(m[1]), text: text.join("\n") };
    }
  }

  write(data: string | Buffer): void {
    this.#socket.write(data);
  }

  async command(line: string): Promise<Reply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /** EHLO, MAIL FROM and RCPT TO for each recipient; returns the RCPT replies. */
  async envelope(from: string, to: string[]): Promise<Reply[]> {
    await this.command("EHLO client.test");
    const mail = await this.command(`MAIL FROM:<${from}>`);
    if (mail.code !== 250) throw new Error(`MAIL FROM refused: ${mail.code} ${mail.text}`);
    const replies: Reply[] = [];
    for (const rcpt of to) replies.push(await this.command(`RCPT TO:<${rcpt}>`));
    return replies;
  }

  /** Sends DATA, the message (dot-stuffed) and the end marker; resolves once 354 came. */
  async data(message: string | Buffer): Promise<void> {
    const go = await this.command("DATA");
    if (go.code !== 354) throw new Error(`DATA refused: ${go.code} ${go.text}`);
    const text = Buffer.isBuffer(message) ? message.toString("latin1") : message;
    const stuffed = text.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
    this.write(Buffer.from(`${stuffed}${stuffed.endsWith("\r\n") ? "" : "\r\n"}.\r\n`, "latin1"));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#socket.end("QUIT\r\n");
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#socket.destroy();
        resolve();
      }, 500);
      this.#socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async #nextLine(): Promise<string> {
    while (this.#lines.length === 0) {
      if (this.#closed) throw new Error("connection closed");
      // A server that never answers fails the test instead of hanging it.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no reply within 5 s")), 5000);
        this.#waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#lines.shift()!;
  }

  #wake(): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.();
  }
}

// The simulator's SMDI side, the voicemail system's end of a GR-283-CORE link over TCP: it sends
// `OP:MWI <station>!^D` / `RMV:MWI <station>!^D` and reads the switch's call details
// (`\r\nMD…\r\n^Y`) and MWI refusals (`\r\nMWI<station> INV|BLK\r\n^Y`). The frames are written
// and read here by hand, independently of src/protocols/smdi, so each side checks the other.

import { connect, createServer, type Server, type Socket } from "node:net";

export type SwitchFrame =
  | {
      kind: "call-detail";
      desk: string;
      terminal: string;
      type: string;
      forwardingStation: string;
      callingStation: string;
    }
  | { kind: "mwi-error"; station: string; reason: "INV" | "BLK" };

// GR-283: MD + desk(3) + terminal(4) + call type + forwarding station (10, space padded) + " " +
// calling station + " " + CR LF + Ctrl-Y; the MWI error: MWI + station + " " + INV|BLK + CR LF + ^Y.
const CALL_DETAIL = /^\r\nMD(\d{3})(\d{4})([DABNU])([\d ]{10}) (\d{0,15}) \r\n$/;
const MWI_ERROR = /^\r\nMWI(\d{1,10}) (INV|BLK)\r\n$/;
const EM = "\x19";

export class SmdiPeer {
  /** Frames from the switch (omnivox), in order. */
  readonly frames: SwitchFrame[] = [];
  /** Bytes from the switch that made no frame. */
  garbage = "";
  /** Connections taken or made so far (a cluster must keep one owner per link). */
  connections = 0;
  #socket: Socket | undefined;
  #server: Server | undefined;
  #buffer = "";
  #waiters: Array<() => void> = [];

  /** The voicemail system listens; omnivox dials it (`smdi[].connect`). */
  static async listen(host = "127.0.0.1"): Promise<SmdiPeer> {
    const peer = new SmdiPeer();
    const server = createServer((socket) => peer.#attach(socket));
    peer.#server = server;
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return peer;
  }

  /** The voicemail system dials omnivox (`smdi[].listen`). */
  static dial(port: number, host = "127.0.0.1"): SmdiPeer {
    const peer = new SmdiPeer();
    peer.#attach(connect({ host, port }));
    return peer;
  }

  get address(): string {
    const a = this.#server?.address();
    return a && typeof a === "object" ? `${a.address}:${a.port}` : "";
  }

  get connected(): boolean {
    return this.#socket !== undefined && !this.#socket.connecting && !this.#socket.destroyed;
  }

  async waitConnected(timeoutMs = 5000): Promise<void> {
    await this.#wait(() => this.connected, timeoutMs, "an SMDI connection");
  }

  /** Lamp on or off for a station, as the voicemail system sends it. */
  mwi(station: string, on: boolean): void {
    this.raw(`${on ? "OP:MWI" : "RMV:MWI"} ${station}!\x04`);
  }

  raw(bytes: string): void {
    if (!this.#socket) throw new Error("smdi peer: not connected");
    this.#socket.write(Buffer.from(bytes, "latin1"));
  }

  /** Cuts the TCP connection (as a failing serial-to-IP converter would). */
  drop(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  async waitFrames(count: number, timeoutMs = 3000): Promise<SwitchFrame[]> {
    await this.#wait(() => this.frames.length >= count, timeoutMs, `${count} SMDI frames`);
    return this.frames.slice(0, count);
  }

  async close(): Promise<void> {
    this.drop();
    const server = this.#server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #attach(socket: Socket): void {
    this.connections++;
    this.#socket?.destroy();
    this.#socket = socket;
    this.#buffer = "";
    socket.on("connect", () => this.#wake());
    socket.on("data", (chunk: Buffer) => this.#read(chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
    this.#wake();
  }

  /** Every switch frame ends with ^Y: cut there, and read the frame that starts last. */
  #read(text: string): void {
    this.#buffer += text;
    for (let end = this.#buffer.indexOf(EM); end >= 0; end = this.#buffer.indexOf(EM)) {
      const segment = this.#buffer.slice(0, end + 1);
      this.#buffer = this.#buffer.slice(end + 1);
      const start = Math.max(0, segment.lastIndexOf("\r\nM"));
      this.garbage += segment.slice(0, start);
      const frame = segment.slice(start);
      const md = CALL_DETAIL.exec(frame.slice(0, -1));
      const err = MWI_ERROR.exec(frame.slice(0, -1));
      if (md) {
        this.frames.push({
          kind: "call-detail",
          desk: md[1]!,
          terminal: md[2]!,
          type: md[3]!,
          forwardingStation: md[4]!.trimEnd(),
          callingStation: md[5]!,
        });
      } else if (err) {
        this.frames.push({ kind: "mwi-error", station: err[1]!, reason: err[2] as "INV" | "BLK" });
      } else {
        this.garbage += frame;
      }
    }
    this.#wake();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  async #wait(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > end) throw new Error(`smdi peer: no ${what} in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

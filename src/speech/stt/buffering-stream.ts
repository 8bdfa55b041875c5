// The SttStream form for engines that only take whole recordings (HTTP APIs, "none"): frames are
// kept as they arrive and the engine's transcribe() runs once at end().

import type { SttEngine, SttResult, SttStream, SttStreamOptions } from "./types.ts";

export function bufferingStream(engine: SttEngine, opts: SttStreamOptions = {}): SttStream {
  const sampleRate = opts.sampleRate ?? 8000;
  const frames: Int16Array[] = [];
  let length = 0;
  let open = true;
  const local = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, local.signal]) : local.signal;

  return {
    write(frame) {
      if (!open) return;
      frames.push(frame.slice()); // the caller may reuse its frame buffer
      length += frame.length;
    },
    async end(): Promise<SttResult> {
      open = false;
      if (signal.aborted) throw signal.reason;
      const samples = new Int16Array(length);
      let at = 0;
      for (const f of frames.splice(0)) {
        samples.set(f, at);
        at += f.length;
      }
      const transcribeOpts = opts.language ? { language: opts.language, signal } : { signal };
      return engine.transcribe({ samples, sampleRate }, transcribeOpts);
    },
    abort() {
      open = false;
      frames.length = 0;
      local.abort(new DOMException("The transcription was aborted", "AbortError"));
    },
  };
}

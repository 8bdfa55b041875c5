// Loss counted on a stored recording: which 20 ms frames of what the caller sent are in it,
// bit-exact after G.711 decoding. Every sent frame must be distinct (noise, not a tone), so a
// frame found names its place in what was sent.

export const FRAME_SAMPLES = 160; // one 20 ms PCMU packet at 8 kHz

export interface FrameLoss {
  /** Sent frames not in the recording. */
  lost: number;
  /** Of those, frames missing between the first and the last frame found (not at the ends). */
  lostInside: number;
  /** Of those, frames missing before the first frame found: the recording started late. */
  lostHead: number;
  /** Frames of the recording that were never sent (silence or noise made up for a gap). */
  extra: number;
}

const key = (pcm: Int16Array, frame: number) =>
  Buffer.from(pcm.buffer, pcm.byteOffset + frame * FRAME_SAMPLES * 2, FRAME_SAMPLES * 2).toString(
    "latin1",
  );

/** Compares recordings with `sent`, whose frames are indexed once. */
export function frameLossCounter(sent: Int16Array): (recorded: Int16Array) => FrameLoss {
  const frames = Math.floor(sent.length / FRAME_SAMPLES);
  const index = new Map<string, number>();
  for (let f = 0; f < frames; f++) index.set(key(sent, f), f);
  if (index.size !== frames) throw new RangeError("the sent audio repeats a frame");
  return (recorded) => {
    const seen = new Set<number>();
    let extra = 0;
    const got = Math.floor(recorded.length / FRAME_SAMPLES);
    for (let f = 0; f < got; f++) {
      const at = index.get(key(recorded, f));
      if (at === undefined) extra++;
      else seen.add(at);
    }
    let lostInside = 0;
    let lostHead = frames;
    if (seen.size > 0) {
      const found = [...seen];
      lostHead = Math.min(...found);
      lostInside = Math.max(...found) - lostHead + 1 - seen.size;
    }
    return { lost: frames - seen.size, lostInside, lostHead, extra };
  };
}

// The recorded voice prompts shipped in assets/prompts (made by scripts/make-prompts.sh), decoded
// once to 8 kHz PCM, and the small grammar that speaks numbers, digits and times from them.

import { readdir } from "node:fs/promises";
import { basename } from "node:path";
import { concatPcm, generateTone, silenceFrame } from "../../media/pcm.ts";
import { readWavFile, wavToPcm16 } from "../../media/wav.ts";

const PROMPT_DIR = new URL("../../../assets/prompts/", import.meta.url);

export class Prompts {
  private constructor(private readonly clips: ReadonlyMap<string, Int16Array>) {}

  static async load(dir: URL = PROMPT_DIR): Promise<Prompts> {
    const clips = new Map<string, Int16Array>();
    for (const file of await readdir(dir)) {
      if (!file.endsWith(".wav")) continue;
      const wav = await readWavFile(new URL(file, dir).pathname);
      if (wav.sampleRate !== 8000)
        throw new Error(`prompt ${file} is ${wav.sampleRate} Hz, expected 8000`);
      clips.set(basename(file, ".wav"), wavToPcm16(wav));
    }
    return new Prompts(clips);
  }

  has(name: string): boolean {
    return this.clips.has(name);
  }

  get(name: string): Int16Array {
    const clip = this.clips.get(name);
    if (!clip) throw new Error(`no prompt "${name}" in assets/prompts`);
    return clip;
  }

  /** The tone before recording: 440 Hz + 480 Hz is a dial tone; a single 1 kHz beep is clearer. */
  beep(): Int16Array {
    return concatPcm([generateTone(1000, 250, 8000, 0.4), silenceFrame(800)]);
  }

  pause(ms: number): Int16Array {
    return silenceFrame(Math.round((ms * 8000) / 1000));
  }

  /** "1", "5", "5" … for a telephone number; non-digits are skipped. */
  digits(value: string): Int16Array {
    const parts = [...value].filter((c) => c >= "0" && c <= "9").map((d) => this.get(`digit-${d}`));
    return concatPcm(parts);
  }

  /** 0–9999 in words from the number clips. */
  number(n: number): Int16Array {
    const value = Math.max(0, Math.min(9999, Math.floor(n)));
    const parts: Int16Array[] = [];
    const thousands = Math.floor(value / 1000);
    const hundreds = Math.floor((value % 1000) / 100);
    const rest = value % 100;
    if (thousands) parts.push(this.get(`digit-${thousands}`), this.get("thousand"));
    if (hundreds) parts.push(this.get(`digit-${hundreds}`), this.get("hundred"));
    if (rest || parts.length === 0) parts.push(...this.#belowHundred(rest));
    return concatPcm(parts);
  }

  #belowHundred(n: number): Int16Array[] {
    if (n < 10) return [this.get(`digit-${n}`)];
    if (n < 20 || n % 10 === 0) return [this.get(`number-${n}`)];
    return [this.get(`number-${n - (n % 10)}`), this.get(`digit-${n % 10}`)];
  }

  /** "3 45 P M" for a time of day, in the gateway's local time zone. */
  time(at: Date): Int16Array {
    const h = at.getHours();
    const m = at.getMinutes();
    const hour12 = h % 12 === 0 ? 12 : h % 12;
    const minutes =
      m === 0
        ? [this.get("oclock")]
        : m < 10
          ? [this.get("digit-0"), this.get(`digit-${m}`)]
          : [this.number(m)];
    return concatPcm([this.number(hour12), ...minutes, this.get(h < 12 ? "am" : "pm")]);
  }
}

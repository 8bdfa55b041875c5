// Reads what `pocketsphinx_continuous -time yes` (pocketsphinx 0.8+5prealpha) prints on stdout:
// per utterance one hypothesis line, then one "word start end posterior" line per segment.

import type { SttResult } from "./types.ts";

export interface PocketsphinxWord {
  word: string;
  start: number;
  end: number;
  /** Posterior probability of the word, 0..1 (pocketsphinx may print a hair above 1). */
  posterior: number;
}

export interface PocketsphinxUtterance {
  text: string;
  words: PocketsphinxWord[];
}

const WORD_LINE = /^(\S+) (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)$/i;
/** Lines the program (or a chatty build) may print that are not transcript. */
const NOISE_LINE = /^(INFO|ERROR|WARN(ING)?|FATAL|SYSTEM_ERROR)\b|^READY\.*$|^Listening\.*$/;

/** Silence, sentence marks and noise models: `<s>`, `</s>`, `<sil>`, `[NOISE]`, `+BREATH+`. */
export function isFiller(word: string): boolean {
  return /^(<.*>|\[.*\]|\+.*\+)$/.test(word);
}

/** "the(2)" (an alternate pronunciation) → "the". */
const baseWord = (word: string) => word.replace(/\(\d+\)$/, "");

/**
 * Splits stdout into utterances. A hypothesis line opens an utterance; word lines attach to the
 * current one (or open one of their own when the program printed no hypothesis line).
 */
export function parsePocketsphinxOutput(stdout: string): PocketsphinxUtterance[] {
  const utterances: PocketsphinxUtterance[] = [];
  let current: PocketsphinxUtterance | undefined;
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || NOISE_LINE.test(line)) continue;
    const m = WORD_LINE.exec(line);
    if (m) {
      if (!current) {
        current = { text: "", words: [] };
        utterances.push(current);
      }
      current.words.push({
        word: baseWord(m[1]!),
        start: Number(m[2]),
        end: Number(m[3]),
        posterior: Number(m[4]),
      });
      continue;
    }
    current = { text: line.split(/\s+/).map(baseWord).join(" "), words: [] };
    utterances.push(current);
  }
  return utterances;
}

/** The transcript of all utterances, with the mean posterior of its words as confidence. */
export function pocketsphinxResult(utterances: PocketsphinxUtterance[]): SttResult {
  const texts: string[] = [];
  let sum = 0;
  let count = 0;
  for (const u of utterances) {
    const spoken = u.words.filter((w) => !isFiller(w.word));
    const text = u.text || spoken.map((w) => w.word).join(" ");
    if (text) texts.push(text);
    for (const w of spoken) {
      sum += Math.min(1, Math.max(0, w.posterior));
      count++;
    }
  }
  const result: SttResult = { text: texts.join(" ") };
  if (count > 0) result.confidence = sum / count;
  return result;
}

// Word error rate, the usual ASR accuracy measure: word-level Levenshtein distance between a
// reference and a hypothesis (substitutions + deletions + insertions) over the reference length.

export interface WordErrors {
  substitutions: number;
  deletions: number;
  insertions: number;
  /** Words in the reference. */
  referenceWords: number;
  /** (S + D + I) / N; 0 for two empty texts, 1 per inserted word over an empty reference. */
  wer: number;
}

/**
 * Lower-cases and splits into words: letters, digits and inner apostrophes ("don't") are kept,
 * every other character separates words. Pocketsphinx alternates such as "the(2)" lose the "(2)".
 */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/\(\d+\)/g, " ")
    .split(/[^\p{L}\p{N}']+/u)
    .map((w) => w.replace(/^'+|'+$/g, ""))
    .filter((w) => w.length > 0);
}

/** Counts the edits turning the reference's words into the hypothesis's (minimal total). */
export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const ref = normalizeWords(reference);
  const hyp = normalizeWords(hypothesis);
  // One row of the DP table at a time; each cell keeps its cost and how it splits into S/D/I,
  // preferring (on equal cost) substitutions, which is how scoring tools report alignments.
  type Cell = { cost: number; s: number; d: number; i: number };
  let prev: Cell[] = [];
  for (let j = 0; j <= hyp.length; j++) prev.push({ cost: j, s: 0, d: 0, i: j });
  for (let r = 1; r <= ref.length; r++) {
    const row: Cell[] = [{ cost: r, s: 0, d: r, i: 0 }];
    for (let j = 1; j <= hyp.length; j++) {
      const diag = prev[j - 1]!;
      const up = prev[j]!;
      const left = row[j - 1]!;
      const same = ref[r - 1] === hyp[j - 1];
      const sub = diag.cost + (same ? 0 : 1);
      const del = up.cost + 1;
      const ins = left.cost + 1;
      if (sub <= del && sub <= ins) {
        row.push({ cost: sub, s: diag.s + (same ? 0 : 1), d: diag.d, i: diag.i });
      } else if (del <= ins) {
        row.push({ cost: del, s: up.s, d: up.d + 1, i: up.i });
      } else {
        row.push({ cost: ins, s: left.s, d: left.d, i: left.i + 1 });
      }
    }
    prev = row;
  }
  const last = prev[hyp.length]!;
  const errors = last.s + last.d + last.i;
  const wer = ref.length === 0 ? hyp.length : errors / ref.length;
  return {
    substitutions: last.s,
    deletions: last.d,
    insertions: last.i,
    referenceWords: ref.length,
    wer,
  };
}

/** (S + D + I) / N over normalised words; see wordErrors for the counts. */
export function wordErrorRate(reference: string, hypothesis: string): number {
  return wordErrors(reference, hypothesis).wer;
}

/**
 * Ranking metrics with sample weights (negatives may be subsampled and weighted back up):
 * ROC-AUC by the rank-sum with ties counted half, PR-AUC as average precision.
 */

/** Runs of equal scores from the highest down, with their weighted positives and negatives. */
function* tieRuns(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): Generator<{ pos: number; neg: number }> {
  const order = Uint32Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let i = 0;
  while (i < order.length) {
    let pos = 0;
    let neg = 0;
    let j = i;
    for (; j < order.length && scores[order[j]!] === scores[order[i]!]; j++) {
      const k = order[j]!;
      const w = weights ? (weights[k] as number) : 1;
      if (labels[k]) pos += w;
      else neg += w;
    }
    yield { pos, neg };
    i = j;
  }
}

export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let pos = 0;
  let neg = 0;
  let area = 0;
  // each negative counts the positives ranked above it, and half of those tied with it
  for (const run of tieRuns(scores, labels, weights)) {
    area += run.neg * (pos + run.pos / 2);
    pos += run.pos;
    neg += run.neg;
  }
  return pos === 0 || neg === 0 ? Number.NaN : area / (pos * neg);
}

export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let total = 0;
  for (let k = 0; k < labels.length; k++) if (labels[k]) total += weights ? (weights[k] as number) : 1;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (const run of tieRuns(scores, labels, weights)) {
    tp += run.pos;
    seen += run.pos + run.neg;
    ap += (run.pos / (total || 1)) * (tp / seen);
  }
  return total === 0 ? Number.NaN : ap;
}

import { hashParts, Rng } from '../synth/prng.js';
import { FEATURES, type Feature, type FeatureTable } from './features.js';
import { DEFAULT_GBDT, predictGbdt, trainGbdt, type GbdtOptions } from './gbdt.js';
import { averagePrecision, rocAuc } from './metrics.js';

export interface BaselineResult {
  /** out-of-fold scores of a gradient-boosted model, folds grouped by account */
  rocAuc: number;
  prAuc: number;
  folds: number;
  fraudRows: number;
  /** per feature, the ROC-AUC of the feature alone (either direction) */
  singleFeatureAuc: Record<Feature, number>;
}

export interface BaselineOptions {
  folds: number;
  /** share of legitimate rows kept for training (weighted back up): fraud is rare */
  negativeShare: number;
  seed: string;
  gbdt: GbdtOptions;
}

export const DEFAULT_BASELINE: BaselineOptions = { folds: 5, negativeShare: 0.1, seed: 'realism', gbdt: DEFAULT_GBDT };

/** Grouped k-fold: an account's rows are all in one fold, so the model never sees the account it is tested on. */
export function baselineModel(table: FeatureTable, options: BaselineOptions = DEFAULT_BASELINE): BaselineResult {
  const foldOf = (g: number) => hashParts('fold', options.seed, String(g))[0] % options.folds;
  const folds = new Map<number, number>();
  const fold = Uint8Array.from(table.group, (g) => {
    let k = folds.get(g);
    if (k === undefined) folds.set(g, (k = foldOf(g)));
    return k;
  });
  // a seeded stream, not Math.random: the scorecard gives the same figures every run
  const rng = Rng.of('keep', options.seed);
  const keep = Uint8Array.from({ length: table.rows }, (_, i) => (rng.next() < options.negativeShare || table.label[i] ? 1 : 0));
  const weight = Float64Array.from(table.label, (l) => (l ? 1 : 1 / options.negativeShare));
  const scores = new Float64Array(table.rows);
  for (let k = 0; k < options.folds; k++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < table.rows; i++) {
      if (fold[i] === k) test.push(i);
      else if (keep[i]) train.push(i);
    }
    if (test.length === 0 || train.length === 0) continue;
    const model = trainGbdt(table.columns, table.label, weight, train, options.gbdt);
    const predicted = predictGbdt(model, table.columns, test);
    test.forEach((row, j) => (scores[row] = predicted[j]!));
  }
  // metrics on every fraud row and the kept legitimate ones weighted back up: unbiased, and 10x faster to sort
  const evaluated = Uint32Array.from({ length: table.rows }, (_, i) => i).filter((i) => keep[i] === 1);
  const pick = <T extends Float64Array | Uint8Array>(column: T) => Float64Array.from(evaluated, (i) => column[i] as number);
  const labels = pick(table.label);
  const weights = pick(weight);
  const singleFeatureAuc = Object.fromEntries(
    FEATURES.map((name, f) => {
      const auc = rocAuc(pick(table.columns[f]!), labels, weights);
      return [name, Math.max(auc, 1 - auc)];
    }),
  ) as Record<Feature, number>;
  let fraudRows = 0;
  for (let i = 0; i < table.rows; i++) fraudRows += table.label[i]!;
  const outOfFold = pick(scores);
  return { rocAuc: rocAuc(outOfFold, labels, weights), prAuc: averagePrecision(outOfFold, labels, weights), folds: options.folds, fraudRows, singleFeatureAuc };
}

/**
 * A small gradient-boosted decision tree classifier (logistic loss, histogram splits), the
 * baseline model of the realism scorecard. Hand-written on purpose: the npm registry has no
 * maintained pure-JS GBDT (ml-xgboost is an unmaintained emscripten build, decision-tree a
 * one-release toy), and a scorecard needs only binary training on a few numeric features.
 * Features are binned once into at most `bins` quantile bins; each tree grows depth-wise with
 * the second-order gain of XGBoost (lambda-regularised), so categorical codes work as ordinals.
 */
export interface GbdtOptions {
  trees: number;
  depth: number;
  learningRate: number;
  bins: number;
  /** minimum hessian (weighted) in a leaf */
  minChildWeight: number;
  lambda: number;
}

export const DEFAULT_GBDT: GbdtOptions = { trees: 40, depth: 3, learningRate: 0.2, bins: 32, minChildWeight: 2, lambda: 1 };

interface Node {
  feature: number;
  /** go left when bin <= threshold */
  threshold: number;
  left: number;
  right: number;
  value: number;
}

export interface GbdtModel {
  /** per feature, ascending upper edges of its bins */
  edges: Float64Array[];
  trees: Node[][];
  base: number;
  learningRate: number;
}

/** Quantile bin edges of every feature (columns of `x`, one Float64Array per feature). */
export function binEdges(x: readonly Float64Array[], bins: number): Float64Array[] {
  return x.map((column) => {
    const sorted = Float64Array.from(column).sort();
    const edges: number[] = [];
    for (let b = 1; b < bins; b++) {
      const v = sorted[Math.floor((b * sorted.length) / bins)] as number;
      if (edges.length === 0 || v > edges[edges.length - 1]!) edges.push(v);
    }
    return Float64Array.from(edges);
  });
}

function binOf(edges: Float64Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function binned(x: readonly Float64Array[], edges: readonly Float64Array[], rows: readonly number[]): Uint8Array[] {
  return x.map((column, f) => Uint8Array.from(rows, (r) => binOf(edges[f]!, column[r] as number)));
}

/** Trains on the given rows of `x` (feature columns), labels y (0/1) and sample weights w. */
export function trainGbdt(x: readonly Float64Array[], y: ArrayLike<number>, w: ArrayLike<number>, rows: readonly number[], options: GbdtOptions = DEFAULT_GBDT): GbdtModel {
  const edges = binEdges(x.map((c) => Float64Array.from(rows, (r) => c[r] as number)), options.bins);
  const bins = binned(x, edges, rows);
  const n = rows.length;
  const label = Float64Array.from(rows, (r) => y[r] as number);
  const weight = Float64Array.from(rows, (r) => w[r] as number);
  let positive = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    positive += label[i]! * weight[i]!;
    total += weight[i]!;
  }
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, positive / total));
  const base = Math.log(prior / (1 - prior));
  const margin = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const trees: Node[][] = [];
  const nodeOf = new Int32Array(n);
  for (let t = 0; t < options.trees; t++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-margin[i]!));
      grad[i] = (p - label[i]!) * weight[i]!;
      hess[i] = Math.max(1e-12, p * (1 - p)) * weight[i]!;
    }
    const tree = growTree(bins, grad, hess, nodeOf, options);
    for (let i = 0; i < n; i++) margin[i]! += options.learningRate * tree[nodeOf[i]!]!.value;
    trees.push(tree);
  }
  return { edges, trees, base, learningRate: options.learningRate };
}

function growTree(bins: readonly Uint8Array[], grad: Float64Array, hess: Float64Array, nodeOf: Int32Array, options: GbdtOptions): Node[] {
  const n = grad.length;
  const features = bins.length;
  const { lambda, minChildWeight } = options;
  const nodes: Node[] = [{ feature: -1, threshold: 0, left: -1, right: -1, value: 0 }];
  nodeOf.fill(0);
  let frontier = [0];
  const slotOf = new Int32Array(2 ** (options.depth + 1)).fill(-1);
  for (let level = 0; level <= options.depth && frontier.length > 0; level++) {
    // per frontier node: gradient and hessian sums per (feature, bin), flat
    slotOf.fill(-1);
    frontier.forEach((node, slot) => (slotOf[node] = slot));
    const G = new Float64Array(frontier.length * features * 256);
    const H = new Float64Array(frontier.length * features * 256);
    for (let i = 0; i < n; i++) {
      const slot = slotOf[nodeOf[i]!]!;
      if (slot < 0) continue;
      const g = grad[i]!;
      const h = hess[i]!;
      const base = slot * features * 256;
      for (let f = 0; f < features; f++) {
        const at = base + f * 256 + bins[f]![i]!;
        G[at]! += g;
        H[at]! += h;
      }
    }
    const next: number[] = [];
    frontier.forEach((node, slot) => {
      const base = slot * features * 256;
      let gTotal = 0;
      let hTotal = 0;
      for (let b = 0; b < 256; b++) {
        gTotal += G[base + b]!;
        hTotal += H[base + b]!;
      }
      nodes[node]!.value = -gTotal / (hTotal + lambda);
      if (level === options.depth) return;
      const parentScore = (gTotal * gTotal) / (hTotal + lambda);
      let bestGain = 1e-9;
      let bestFeature = -1;
      let bestThreshold = 0;
      for (let f = 0; f < features; f++) {
        let gl = 0;
        let hl = 0;
        const at = base + f * 256;
        for (let b = 0; b < options.bins; b++) {
          gl += G[at + b]!;
          hl += H[at + b]!;
          const hr = hTotal - hl;
          if (hl < minChildWeight || hr < minChildWeight) continue;
          const gr = gTotal - gl;
          const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestThreshold = b;
          }
        }
      }
      if (bestFeature < 0) return;
      const left = nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, value: 0 }) - 1;
      const right = nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, value: 0 }) - 1;
      Object.assign(nodes[node]!, { feature: bestFeature, threshold: bestThreshold, left, right });
      next.push(left, right);
    });
    if (next.length === 0) break;
    for (let i = 0; i < n; i++) {
      const node = nodes[nodeOf[i]!]!;
      if (node.feature >= 0) nodeOf[i] = bins[node.feature]![i]! <= node.threshold ? node.left : node.right;
    }
    frontier = next;
  }
  return nodes;
}

/** Scores (log-odds) for the given rows. */
export function predictGbdt(model: GbdtModel, x: readonly Float64Array[], rows: readonly number[]): Float64Array {
  const bins = binned(x, model.edges, rows);
  const out = new Float64Array(rows.length).fill(model.base);
  for (const tree of model.trees) {
    for (let i = 0; i < rows.length; i++) {
      let node = tree[0]!;
      while (node.feature >= 0) node = tree[bins[node.feature]![i]! <= node.threshold ? node.left : node.right]!;
      out[i]! += model.learningRate * node.value;
    }
  }
  return out;
}

// The shipped linear model: multinomial logistic regression heads over a shared vocabulary,
// weights quantised to int8 and base64-encoded so the committed JSON stays small.

export interface HeadData {
  classes: string[];
  /** int8 weights, feature-major (feature × classes), base64. */
  weights: string;
  /** Multiply an int8 weight by this to get the real weight. */
  scale: number;
  bias: number[];
  /** Temperature fitted on the validation fold (probabilities = softmax(logits / T)). */
  temperature: number;
}

export interface LinearModelData {
  format: 'gongzhi-linear-1';
  version: string;
  features: { cues: boolean };
  vocab: string[];
  heads: { issue: HeadData; category: HeadData; type: HeadData; urgency: HeadData; kind: HeadData };
  /** The gate chosen on the validation fold for ≥ 95% auto-dispatch precision. */
  gate: number;
  /** Validation-fold facts, for the record. */
  stats: Record<string, unknown>;
}

export interface Head {
  classes: readonly string[];
  k: number;
  /** Feature index → weights row (Float32Array of k), or undefined. */
  w: Float32Array;
  bias: Float64Array;
  temperature: number;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!, b = bytes[i + 1] ?? 0, c = bytes[i + 2] ?? 0;
    out += B64[a >> 2]! + B64[((a & 3) << 4) | (b >> 4)]! + (i + 1 < bytes.length ? B64[((b & 15) << 2) | (c >> 6)]! : '=') + (i + 2 < bytes.length ? B64[c & 63]! : '=');
  }
  return out;
}

/** Pure TS (no Buffer, no atob): the same on Node and Workers. */
export function decodeBase64(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const a = B64_INDEX[clean.charCodeAt(i)]!, b = B64_INDEX[clean.charCodeAt(i + 1)]!;
    const c = i + 2 < clean.length ? B64_INDEX[clean.charCodeAt(i + 2)]! : 0;
    const d = i + 3 < clean.length ? B64_INDEX[clean.charCodeAt(i + 3)]! : 0;
    out[o++] = (a << 2) | (b >> 4);
    if (i + 2 < clean.length) out[o++] = ((b & 15) << 4) | (c >> 2);
    if (i + 3 < clean.length) out[o++] = ((c & 3) << 6) | d;
  }
  return out;
}

export function loadHead(h: HeadData, vocabSize: number): Head {
  const k = h.classes.length;
  const bytes = decodeBase64(h.weights);
  if (bytes.length !== vocabSize * k) throw new Error(`classifier head: ${bytes.length} weights for ${vocabSize}×${k}`);
  const signed = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const w = new Float32Array(signed.length);
  for (let i = 0; i < signed.length; i++) w[i] = signed[i]! * h.scale;
  return { classes: h.classes, k, w, bias: Float64Array.from(h.bias), temperature: h.temperature };
}

export function quantiseHead(classes: string[], w: Float64Array | Float32Array, bias: ArrayLike<number>, temperature: number): HeadData {
  let max = 0;
  for (const v of w) if (Math.abs(v) > max) max = Math.abs(v);
  const scale = max / 127 || 1;
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i]! / scale)));
  return { classes, weights: encodeBase64(new Uint8Array(q.buffer)), scale, bias: Array.from(bias, (b) => Math.round(b * 1e5) / 1e5), temperature };
}

/** Logits of a head for sparse features given as (vocabulary index, value) pairs. */
export function logits(head: Head, idx: Int32Array, val: Float64Array, n: number): Float64Array {
  const k = head.k;
  const out = Float64Array.from(head.bias);
  const w = head.w;
  for (let j = 0; j < n; j++) {
    const base = idx[j]! * k;
    const v = val[j]!;
    for (let c = 0; c < k; c++) out[c]! += w[base + c]! * v;
  }
  return out;
}

export function softmaxInPlace(z: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += z[i] = Math.exp((z[i]! - max) / temperature);
  for (let i = 0; i < z.length; i++) z[i]! /= sum;
  return z;
}

export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
}

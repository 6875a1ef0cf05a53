/** One dense layer: `outputs × inputs` weights, row-major. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** `weights[o * inputs + i]` */
  weights: Float32Array;
  bias: Float32Array;
  activation: 'relu' | 'sigmoid' | 'linear';
}

/** `out = activation(weights · x + bias)`; four accumulators keep V8's loop fast. */
function dense(layer: DenseLayer, x: Float32Array, out: Float32Array): void {
  const { inputs, outputs, weights, bias } = layer;
  const tail = inputs - (inputs % 4);
  for (let o = 0; o < outputs; o++) {
    const row = o * inputs;
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    let i = 0;
    for (; i < tail; i += 4) {
      a += weights[row + i]! * x[i]!;
      b += weights[row + i + 1]! * x[i + 1]!;
      c += weights[row + i + 2]! * x[i + 2]!;
      d += weights[row + i + 3]! * x[i + 3]!;
    }
    for (; i < inputs; i++) a += weights[row + i]! * x[i]!;
    const sum = a + b + c + d + bias[o]!;
    out[o] = layer.activation === 'relu' ? (sum > 0 ? sum : 0) : layer.activation === 'sigmoid' ? 1 / (1 + Math.exp(-sum)) : sum;
  }
}

/** Runs dense layers on one input; returns the last layer's first output. */
export function forward(layers: readonly DenseLayer[], input: Float32Array): number {
  let x = input;
  for (const layer of layers) {
    const y = new Float32Array(layer.outputs);
    dense(layer, x, y);
    x = y;
  }
  return x[0] ?? 0;
}

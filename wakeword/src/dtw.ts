/** Scales a vector to unit length (cosine distances become `1 - dot`). */
export function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  const scale = 1 / Math.max(1e-12, Math.sqrt(norm));
  return vector.map((value) => value * scale);
}

function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return 1 - dot;
}

/**
 * Mean cosine distance along the best alignment of `template` with a stretch of `query` that
 * ends at the query's last entry and starts anywhere (open begin, closed end): how well the
 * newest audio matches the template, whatever its speed. Steps: diagonal, or one side stays
 * (each sequence may be stretched); each cell keeps the path with the lowest mean cost so far.
 * Both sequences must be unit vectors.
 */
export function endAlignedDtw(template: readonly Float32Array[], query: readonly Float32Array[]): number {
  const rows = template.length;
  const cols = query.length;
  if (rows === 0 || cols === 0) return Number.POSITIVE_INFINITY;
  // Cost and path length per cell of the previous and current template row.
  let prevCost = new Float64Array(cols);
  let prevLength = new Float64Array(cols);
  let cost = new Float64Array(cols);
  let length = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const local = cosineDistance(template[i]!, query[j]!);
      if (i === 0) {
        // The template may start at any query entry.
        cost[j] = local;
        length[j] = 1;
        continue;
      }
      let bestCost = prevCost[j]!;
      let bestLength = prevLength[j]!;
      if (j > 0) {
        if (prevCost[j - 1]! / prevLength[j - 1]! < bestCost / bestLength) {
          bestCost = prevCost[j - 1]!;
          bestLength = prevLength[j - 1]!;
        }
        if (cost[j - 1]! / length[j - 1]! < bestCost / bestLength) {
          bestCost = cost[j - 1]!;
          bestLength = length[j - 1]!;
        }
      }
      cost[j] = bestCost + local;
      length[j] = bestLength + 1;
    }
    [prevCost, cost] = [cost, prevCost];
    [prevLength, length] = [length, prevLength];
  }
  return prevCost[cols - 1]! / prevLength[cols - 1]!;
}

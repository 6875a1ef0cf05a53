/** Little-endian bytes of s16 samples: a view, no copy. */
export function pcmBytes(samples: Int16Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

/**
 * s16 samples of little-endian PCM bytes. A view when the bytes are 2-byte aligned, else a copy:
 * network Buffers often start at odd offsets of a shared pool, and `Buffer#slice` would not copy.
 */
export function pcmSamples(bytes: Uint8Array): Int16Array {
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : new Uint8Array(bytes);
  return new Int16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 1);
}

import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HughError, decodeAudioFrame, decodeSatelliteMessage } from '@hugh/protocol';
import { fuzzInputs } from '../../testing/fuzz.js';

describe('decoders under fuzzing', () => {
  it('120 000 mutated frames and messages: each is accepted or refused with a documented code, nothing else is thrown', () => {
    const codes = new Map<string, number>();
    let accepted = 0;
    let count = 0;
    for (const input of fuzzInputs(120_000, 42)) {
      count++;
      try {
        if (input.kind === 'audio') decodeAudioFrame(input.data);
        else decodeSatelliteMessage(input.data);
        accepted++;
      } catch (error) {
        expect(error).toBeInstanceOf(HughError);
        const code = (error as HughError).code;
        expect(Object.keys(ERROR_CODES)).toContain(code);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    expect(count).toBeGreaterThanOrEqual(120_000);
    expect(accepted).toBeLessThan(count * 0.2);
    // The fuzzer reaches every decoder refusal.
    for (const code of ['HUGH_ERR_FRAME_TRUNCATED', 'HUGH_ERR_FRAME_TOO_LARGE', 'HUGH_ERR_FRAME_BAD_MAGIC', 'HUGH_ERR_FRAME_INVALID', 'HUGH_ERR_UNSUPPORTED_VERSION', 'HUGH_ERR_MESSAGE_MALFORMED', 'HUGH_ERR_MESSAGE_INVALID', 'HUGH_ERR_UNKNOWN_MESSAGE_TYPE']) {
      expect(codes.get(code), code).toBeGreaterThan(0);
    }
  });
});

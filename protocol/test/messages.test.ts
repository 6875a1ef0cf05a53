import { describe, expect, it } from 'vitest';
import {
  HughError,
  PROTOCOL_VERSION,
  decodeHubMessage,
  decodeSatelliteMessage,
  encodeMessage,
  hubMessage,
  satelliteMessage,
} from '@hugh/protocol';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HughError);
    return (error as HughError).code;
  }
  return 'nothing thrown';
}

const hello = satelliteMessage({
  type: 'hello',
  satelliteId: 'kitchen',
  room: 'Kitchen',
  softwareVersion: '0.1.0',
  capabilities: { wakeEngines: ['openwakeword'], playback: true },
  playbackFormats: [{ sampleRateHz: 24_000, channels: 1 }],
});

describe('control messages', () => {
  it('round-trips a hello and a welcome', () => {
    expect(decodeSatelliteMessage(encodeMessage(hello))).toEqual(hello);
    const welcome = hubMessage({ type: 'welcome', satelliteId: 'kitchen', hubVersion: '0.1.0', maxUtteranceMs: 15_000, preRollMs: 300, muted: false, volumePercent: 70 });
    expect(decodeHubMessage(Buffer.from(encodeMessage(welcome)))).toEqual(welcome);
    expect(welcome.v).toBe(PROTOCOL_VERSION);
  });

  it.each([
    ['random bytes', Buffer.from([0xff, 0x00, 0x13, 0x37]), 'HUGH_ERR_MESSAGE_MALFORMED'],
    ['a JSON array', '[1,2]', 'HUGH_ERR_MESSAGE_MALFORMED'],
    ['JSON null', 'null', 'HUGH_ERR_MESSAGE_MALFORMED'],
    ['a wrong version', JSON.stringify({ ...hello, v: 2 }), 'HUGH_ERR_UNSUPPORTED_VERSION'],
    ['no version', JSON.stringify({ type: 'hello' }), 'HUGH_ERR_UNSUPPORTED_VERSION'],
    ['an unknown type', JSON.stringify({ v: 1, type: 'teleport' }), 'HUGH_ERR_UNKNOWN_MESSAGE_TYPE'],
    ['a hub-only type', JSON.stringify({ v: 1, type: 'welcome' }), 'HUGH_ERR_UNKNOWN_MESSAGE_TYPE'],
    ['a bad satellite id', JSON.stringify({ ...hello, satelliteId: 'a/b' }), 'HUGH_ERR_MESSAGE_INVALID'],
    ['a score above 1', JSON.stringify({ v: 1, type: 'wake', turnId: 1, engine: 'x', keyword: 'k', score: 2, levelDbfs: -20, detectedAtMs: 1 }), 'HUGH_ERR_MESSAGE_INVALID'],
    ['17 KiB', JSON.stringify({ ...hello, room: 'x'.repeat(17 * 1024) }), 'HUGH_ERR_FRAME_TOO_LARGE'],
  ])('rejects %s with its code', (_name, raw, code) => {
    expect(codeOf(() => decodeSatelliteMessage(raw))).toBe(code);
  });

  it('names the offending field', () => {
    const raw = JSON.stringify({ v: 1, type: 'audio-start', turnId: 1, sampleRateHz: 16_000, channels: 3, codec: 'pcm_s16le', preRollMs: 0 });
    expect(() => decodeSatelliteMessage(raw)).toThrow(/audio-start: channels/);
  });

  it('promises 16 kHz mono satellite audio only: 48 kHz stereo is refused naming the field (the hub cannot take it)', () => {
    const start = (sampleRateHz: number, channels: number) => JSON.stringify({ v: 1, type: 'audio-start', turnId: 1, sampleRateHz, channels, codec: 'pcm_s16le', preRollMs: 0 });
    expect(codeOf(() => decodeSatelliteMessage(start(48_000, 2)))).toBe('HUGH_ERR_MESSAGE_INVALID');
    expect(() => decodeSatelliteMessage(start(48_000, 1))).toThrow(/audio-start: sampleRateHz: satellite audio is 16000 Hz/);
    expect(() => decodeSatelliteMessage(start(16_000, 2))).toThrow(/audio-start: channels: satellite audio is mono/);
    expect(decodeSatelliteMessage(start(16_000, 1))).toMatchObject({ type: 'audio-start', sampleRateHz: 16_000, channels: 1 });
  });
});

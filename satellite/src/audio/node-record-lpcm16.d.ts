// The package ships no types; this is the part of its API we use (v1.0.1).
declare module 'node-record-lpcm16' {
  import type { ChildProcess } from 'node:child_process';
  import type { Readable } from 'node:stream';
  interface RecordOptions {
    sampleRate?: number;
    channels?: number;
    recorder?: 'arecord' | 'sox' | 'rec';
    device?: string;
    audioType?: 'raw' | 'wav';
  }
  interface Recording {
    process: ChildProcess;
    stream(): Readable;
    stop(): void;
  }
  const recorder: { record(options?: RecordOptions): Recording };
  export = recorder;
}

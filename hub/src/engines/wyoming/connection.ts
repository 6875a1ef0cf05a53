import { connect, type Socket } from 'node:net';
import { HughError } from '@hugh/protocol';

/** One Wyoming event: a type, a JSON data object and an optional binary payload. */
export interface WyomingEvent {
  type: string;
  data: Record<string, unknown>;
  payload?: Buffer;
}

const MAX_HEADER_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The Wyoming protocol (Home Assistant's engines) over TCP: a newline-terminated JSON header
 * `{type, data?, data_length?, payload_length?}`, then `data_length` bytes of JSON data (merged
 * into `data`), then `payload_length` bytes of payload.
 */
export class WyomingConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly queue: WyomingEvent[] = [];
  private waiter: ((event: WyomingEvent | Error) => void) | undefined;
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly name: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${name}: ${error.message}`)));
    socket.on('close', () => this.fail(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${name}: connection closed`)));
  }

  static open(url: string, name: string, signal: AbortSignal): Promise<WyomingConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) || 10300 });
      const onAbort = () => {
        socket.destroy();
        reject(new HughError('HUGH_ERR_CANCELLED', `${name}: cancelled`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        const connection = new WyomingConnection(socket, name);
        signal.addEventListener('abort', () => connection.close(), { once: true });
        resolve(connection);
      });
      socket.once('error', (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${name}: ${url} unreachable: ${error.message}`));
      });
    });
  }

  send(type: string, data: Record<string, unknown> = {}, payload?: Uint8Array): void {
    const dataBytes = Buffer.from(JSON.stringify(data));
    const header: Record<string, unknown> = { type, data_length: dataBytes.length };
    if (payload) header.payload_length = payload.byteLength;
    this.socket.write(Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), dataBytes, ...(payload ? [Buffer.from(payload)] : [])]));
  }

  /** The next event; rejects when the connection fails or closes first. */
  next(): Promise<WyomingEvent> {
    const event = this.queue.shift();
    if (event) return Promise.resolve(event);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = (value) => (value instanceof Error ? reject(value) : resolve(value));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(this.failure);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    try {
      for (;;) {
        const newline = this.buffer.indexOf(0x0a);
        if (newline < 0) {
          if (this.buffer.length > MAX_HEADER_BYTES) throw new Error('header line too long');
          return;
        }
        const header = JSON.parse(this.buffer.subarray(0, newline).toString()) as { type?: unknown; data?: unknown; data_length?: unknown; payload_length?: unknown };
        const dataLength = Number(header.data_length ?? 0);
        const payloadLength = Number(header.payload_length ?? 0);
        if (typeof header.type !== 'string' || !Number.isInteger(dataLength) || !Number.isInteger(payloadLength) || dataLength < 0 || payloadLength < 0 || dataLength + payloadLength > MAX_BODY_BYTES) {
          throw new Error('malformed header');
        }
        const total = newline + 1 + dataLength + payloadLength;
        if (this.buffer.length < total) return;
        const dataStart = newline + 1;
        const data = { ...((header.data as Record<string, unknown>) ?? {}), ...(dataLength > 0 ? (JSON.parse(this.buffer.subarray(dataStart, dataStart + dataLength).toString()) as Record<string, unknown>) : {}) };
        const event: WyomingEvent = { type: header.type, data, ...(payloadLength > 0 ? { payload: Buffer.from(this.buffer.subarray(dataStart + dataLength, total)) } : {}) };
        this.buffer = this.buffer.subarray(total);
        const waiter = this.waiter;
        this.waiter = undefined;
        if (waiter) waiter(event);
        else this.queue.push(event);
      }
    } catch (error) {
      this.fail(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: malformed Wyoming stream (${(error as Error).message})`));
      this.socket.destroy();
    }
  }
}

import { createServer, type Socket } from 'node:net';

export interface WyomingMessage {
  type: string;
  data: Record<string, unknown>;
  payload?: Buffer;
}

/** Writes one Wyoming event: JSON header line, then data bytes, then payload bytes. */
export function writeEvent(socket: Socket, type: string, data: Record<string, unknown> = {}, payload?: Buffer): void {
  const dataBytes = Buffer.from(JSON.stringify(data));
  const header = { type, data_length: dataBytes.length, ...(payload ? { payload_length: payload.length } : {}) };
  socket.write(Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), dataBytes, ...(payload ? [payload] : [])]));
}

/**
 * A Wyoming peer for adapter tests, with its own independent parser: it hands each complete
 * event to `onEvent`, which answers on the socket.
 */
export async function fakeWyomingServer(onEvent: (event: WyomingMessage, socket: Socket, all: WyomingMessage[]) => void) {
  const received: WyomingMessage[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const newline = buffer.indexOf('\n');
        if (newline < 0) return;
        const header = JSON.parse(buffer.subarray(0, newline).toString()) as { type: string; data?: Record<string, unknown>; data_length?: number; payload_length?: number };
        const dataLength = header.data_length ?? 0;
        const payloadLength = header.payload_length ?? 0;
        if (buffer.length < newline + 1 + dataLength + payloadLength) return;
        const data = { ...(header.data ?? {}), ...(dataLength ? JSON.parse(buffer.subarray(newline + 1, newline + 1 + dataLength).toString()) : {}) };
        const payload = payloadLength ? Buffer.from(buffer.subarray(newline + 1 + dataLength, newline + 1 + dataLength + payloadLength)) : undefined;
        buffer = buffer.subarray(newline + 1 + dataLength + payloadLength);
        const event = { type: header.type, data, ...(payload ? { payload } : {}) };
        received.push(event);
        onEvent(event, socket, received);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `tcp://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    received,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

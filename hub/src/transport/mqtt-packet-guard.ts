import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * Reads MQTT fixed headers (MQTT 3.1.1 §2.2: a type byte, then the remaining length as 1-4 bytes of
 * 7 bits each) as the bytes arrive, and skips each packet's body without keeping it. A packet whose
 * remaining length exceeds the cap is refused from its header alone, before any of its body is
 * buffered: aedes's parser keeps a whole packet in memory before it looks at it, CONNECT included.
 */
export class MqttPacketSizeGuard {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private lengthBytes = 0;
  private bodyLeft = 0;

  constructor(private readonly maxRemainingBytes: number) {}

  /** Follows `chunk`; returns why the stream must be closed, or undefined while it is well-formed and within the cap. */
  feed(chunk: Uint8Array): string | undefined {
    for (let i = 0; i < chunk.length; ) {
      if (this.state === 'body') {
        const skipped = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= skipped;
        i += skipped;
        if (this.bodyLeft === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i++]!;
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * 128 ** this.lengthBytes++;
      if (this.length > this.maxRemainingBytes) return `packet of ${this.length}+ bytes exceeds ${this.maxRemainingBytes}`;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) return 'malformed remaining length';
        continue;
      }
      this.bodyLeft = this.length;
      this.state = this.bodyLeft > 0 ? 'body' : 'type';
    }
    return undefined;
  }
}

/**
 * The socket as aedes should see it: the same bytes both ways, each inbound chunk checked by a
 * MqttPacketSizeGuard first. A refused chunk is never passed on; the socket is destroyed.
 */
export function guardedConnection(socket: Socket, maxPacketBytes: number, onRefused: (reason: string) => void): Duplex & { remoteAddress: string | undefined } {
  const guard = new MqttPacketSizeGuard(maxPacketBytes);
  const connection = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      if (socket.destroyed) return callback();
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  }) as Duplex & { remoteAddress: string | undefined };
  connection.remoteAddress = socket.remoteAddress;
  socket.on('data', (chunk: Buffer) => {
    const refusal = guard.feed(chunk);
    if (refusal) {
      onRefused(refusal);
      socket.destroy();
      return;
    }
    if (!connection.push(chunk)) socket.pause();
  });
  socket.on('end', () => connection.push(null));
  socket.on('error', () => undefined); // the close below ends the connection; aedes sees it as closed
  socket.on('close', () => connection.destroy());
  return connection;
}

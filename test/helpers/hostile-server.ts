import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A raw TCP server that answers every request in one hostile way. It reads until the end of the request head
 * (and ignores bodies: the scenarios that use it send GETs), then misbehaves. Every socket is destroyed on close.
 */
export type HostileMode =
  | 'huge-headers'
  | 'endless-body'
  | 'drip'
  | 'bad-status'
  | 'bad-chunk'
  | 'short-body'
  | 'rst'
  | 'silent'
  | 'half-then-hang'
  | 'nul-bytes'
  | 'http10'
  | 'redirect'
  | 'interim-1xx';

export interface HostileServer {
  url: string;
  /** request heads read */
  requests(): number;
  close(): Promise<void>;
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

export async function startHostileServer(mode: HostileMode): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let requests = 0;
  const every = (ms: number, tick: () => boolean) => {
    const timer = setInterval(() => {
      if (!tick()) {
        clearInterval(timer);
        timers.delete(timer);
      }
    }, ms);
    timers.add(timer);
  };

  const answer = (socket: net.Socket): void => {
    const alive = () => !socket.destroyed && socket.writable;
    switch (mode) {
      case 'huge-headers':
        // A head that never ends: 1 KiB header lines forever.
        socket.write('HTTP/1.1 200 OK\r\n');
        every(1, () => alive() && (socket.write(`x-pad: ${'a'.repeat(1024)}\r\n`), true));
        return;
      case 'endless-body':
        // Chunks of 64 KiB, forever, as fast as the socket takes them.
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        every(1, () => alive() && (socket.write(`10000\r\n${'b'.repeat(0x10000)}\r\n`), true));
        return;
      case 'drip': {
        const bytes = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        let at = 0;
        every(100, () => alive() && at < bytes.length && (socket.write(bytes.subarray(at, ++at)), true));
        return;
      }
      case 'bad-status':
        socket.end('HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok');
        return;
      case 'bad-chunk':
        socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n');
        return;
      case 'short-body':
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b');
        return;
      case 'rst':
        socket.resetAndDestroy();
        return;
      case 'silent':
        return;
      case 'half-then-hang':
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf of it');
        return;
      case 'nul-bytes':
        socket.write('HTTP/1.1 200 OK\r\nX-Evil: a\0b\r\nContent-Length: 2\r\n\r\nok');
        return;
      case 'http10':
        // HTTP/1.0 without keep-alive: one answer per connection, then close.
        socket.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok');
        return;
      case 'redirect':
        socket.write('HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n\r\n');
        return;
      case 'interim-1xx':
        socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' + OK);
        return;
    }
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      // Every complete request head gets an answer (keep-alive modes answer each in turn).
      for (let end = head.indexOf('\r\n\r\n'); end >= 0; end = head.indexOf('\r\n\r\n')) {
        head = head.slice(end + 4);
        requests += 1;
        answer(socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

import net from 'node:net';

/** One request head as the server read it, and the socket to answer it on. */
export interface ServerRequest {
  socket: net.Socket;
  /** the head text, request line first, without the terminating empty line */
  head: string;
  /** the exact bytes of the request (head and terminator; the tests send no bodies) */
  raw: string;
  /** 0-based index of the connection the request came on, in accept order */
  connection: number;
  /** 0-based index of the request on its connection */
  onConnection: number;
}

export interface LoopbackServer {
  port: number;
  /** connections accepted so far */
  readonly connections: number;
  /** connections open right now */
  readonly open: number;
  /** most connections open at once */
  readonly peakOpen: number;
  readonly requests: ServerRequest[];
  /** every byte received, on any connection */
  readonly received: () => number;
  close(): Promise<void>;
}

/**
 * A loopback HTTP/1.1 server small enough to misbehave on purpose: it splits the incoming bytes into request
 * heads and hands each to `onRequest`, which writes whatever bytes the test wants (or none) on the raw socket.
 */
export async function serve(onRequest: (request: ServerRequest) => void = () => {}): Promise<LoopbackServer> {
  const sockets = new Set<net.Socket>();
  const requests: ServerRequest[] = [];
  let connections = 0;
  let peakOpen = 0;
  let receivedBytes = 0;
  const server = net.createServer((socket) => {
    const connection = connections++;
    sockets.add(socket);
    peakOpen = Math.max(peakOpen, sockets.size);
    let pending = '';
    let onConnection = 0;
    socket.on('data', (chunk: Buffer) => {
      receivedBytes += chunk.length;
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const request = { socket, head: pending.slice(0, end), raw: pending.slice(0, end + 4), connection, onConnection: onConnection++ };
        pending = pending.slice(end + 4);
        requests.push(request);
        onRequest(request);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get connections() {
      return connections;
    },
    get open() {
      return sockets.size;
    },
    get peakOpen() {
      return peakOpen;
    },
    requests,
    received: () => receivedBytes,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, checking every few ms; fails after `withinMs`. */
export async function waitFor(condition: () => boolean, withinMs = 2000): Promise<void> {
  const giveUpAt = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`condition not met within ${withinMs} ms`);
    await sleep(2);
  }
}

export function response(status: string, headers: Record<string, string | number>, body = ''): string {
  let head = `HTTP/1.1 ${status}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return `${head}\r\n${body}`;
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's nats-server, if installed: the live multi-machine tests need a real broker, with JetStream. */
export function natsServerPath(): string | undefined {
  for (const path of ['/usr/sbin/nats-server', '/usr/bin/nats-server']) {
    if (spawnSync(path, ['--version']).status === 0) return path;
  }
  const found = spawnSync('sh', ['-c', 'command -v nats-server']);
  return found.status === 0 ? found.stdout.toString().trim() || undefined : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface NatsServer {
  url: string;
  /** stops the broker (SIGTERM) and waits for it to exit; its store stays for a restart */
  stop(): Promise<void>;
  /** starts it again on the same port and store */
  restart(): Promise<void>;
  /** stops it and removes its store */
  close(): Promise<void>;
}

/** A JetStream broker on loopback, on a free port, with its store in a temp directory. */
export async function startNatsServer(path: string): Promise<NatsServer> {
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'tailscope-nats-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(path, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    stop,
    restart: start,
    close: async () => {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

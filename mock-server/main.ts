/**
 * Runs the mock server on its own, for demos and for pointing other tools at it:
 *   tsx mock-server/main.ts --profile flaky --port 8080 [--seed 7] [--delay 15 --jitter 2 --proxy-port 8081]
 * With --delay, a delay proxy listens too (one-way delay in ms) and its URL is printed beside the server's.
 * The tailscope CLI starts the server in-process instead (`target: { mock: ... }`); this is only a thin shell.
 */
import { parseArgs } from 'node:util';
import { ProfileError, startDelayProxy, startMockServer } from './index.js';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'llm-default' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8080' },
    seed: { type: 'string' },
    delay: { type: 'string' },
    jitter: { type: 'string', default: '0' },
    'proxy-port': { type: 'string', default: '0' },
  },
});

try {
  const server = await startMockServer({
    profile: values.profile,
    host: values.host,
    port: Number(values.port),
    ...(values.seed !== undefined && { seed: Number(values.seed) }),
  });
  console.log(`mock server (${values.profile}) listening on ${server.url}`);
  const proxy =
    values.delay === undefined
      ? undefined
      : await startDelayProxy({
          targetHost: server.host,
          targetPort: server.port,
          oneWayDelayMs: Number(values.delay),
          jitterMs: Number(values.jitter),
          host: values.host,
          port: Number(values['proxy-port']),
        });
  if (proxy) console.log(`delay proxy (${values.delay} ms one way) listening on ${proxy.url}`);
  const stop = (): void => {
    void Promise.all([server.close(), proxy?.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (!(error instanceof ProfileError)) throw error;
  console.error(error.message);
  process.exit(2);
}

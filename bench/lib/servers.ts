/**
 * The targets: nginx (the native ceiling; with the echo module, a real 20 ms endpoint), the bundled mock through
 * the tailscope CLI, and a bare node:http server. Each listens on a free loopback port, pinned to the target
 * core, and is stopped by its pid.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, type Server } from './proc.js';
import { REPO, TSX } from './paths.js';

export async function startNginx(core: string | undefined): Promise<Server> {
  return startNginxWith('nginx.conf', {}, '/', core);
}

/**
 * nginx with the echo module, serving `GET /fixed20` after a 20 ms `echo_sleep`: a real server with a known
 * service time, for comparing clients side by side. Needs nginx-light (or nginx) and libnginx-mod-http-echo.
 */
export async function startNginxEcho(core: string | undefined): Promise<Server> {
  const module = echoModulePath();
  if (!module)
    throw new Error(
      `nginx's echo module was not found in ${ECHO_MODULE_DIRS.join(', ')}; install it with:\n  apt-get update && apt-get install -y nginx-light libnginx-mod-http-echo`,
    );
  return startNginxWith('nginx-echo.conf', { __MODULE__: module }, '/', core);
}

/** Where Debian (and nginx.org's packages) put dynamic modules. */
const ECHO_MODULE_DIRS = ['/usr/lib/nginx/modules', '/usr/share/nginx/modules', '/usr/lib64/nginx/modules', '/etc/nginx/modules'];

export function echoModulePath(): string | undefined {
  return ECHO_MODULE_DIRS.map((dir) => join(dir, 'ngx_http_echo_module.so')).find((file) => existsSync(file));
}

async function startNginxWith(
  confName: string,
  fill: Record<string, string>,
  probePath: string,
  core: string | undefined,
): Promise<Server> {
  const port = await freePort();
  const prefix = await mkdtemp(join(os.tmpdir(), 'bench-nginx-'));
  let text = await readFile(join(REPO, 'bench/peers', confName), 'utf8');
  for (const [key, value] of Object.entries({ ...fill, __PORT__: String(port), __PREFIX__: prefix })) text = text.replaceAll(key, value);
  const conf = join(prefix, 'nginx.conf');
  await writeFile(conf, text);
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer('nginx', ['-p', prefix, '-c', conf, '-g', 'daemon off;'], { core, url, probeUrl: `${url}${probePath}` });
  return {
    ...server,
    stop: async () => {
      await server.stop();
      await rm(prefix, { recursive: true, force: true });
    },
  };
}

/** The mock server as a user starts it: `tailscope mock --profile … --port …`. */
export async function startMock(profile: string, core: string | undefined, seed = 1): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startServer(TSX, ['src/cli/main.ts', 'mock', '--profile', profile, '--port', String(port), '--seed', String(seed)], {
    core,
    url,
    probeUrl: `${url}/healthz`,
    cwd: REPO,
  });
}

export async function startBareNode(core: string | undefined): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Through tsx like the mock, so both start the same way; tsx costs nothing per request once loaded.
  return startServer(TSX, [join(REPO, 'bench/servers/bare-node.ts'), String(port)], {
    core,
    url,
    probeUrl: `${url}/`,
  });
}

/** A Bearer token from the mock's OAuth2 endpoint, so every tool sends the same authorised request. */
export async function fetchToken(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
  });
  if (!response.ok) throw new Error(`token request failed with ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

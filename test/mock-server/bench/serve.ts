/**
 * Starts a server for a by-hand throughput comparison (not part of `npm test`):
 *   tsx test/mock-server/bench/serve.ts mock <profile>   the mock server; prints its URL and a bearer token
 *   tsx test/mock-server/bench/serve.ts bare             a bare node:http server doing the same minimum work
 * then load it from another process, e.g.
 *   npx autocannon -c 100 -d 10 -m POST -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
 *     -b '{"prompt":"hello","max_tokens":8,"temperature":0.7}' $URL/v1/generate
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMockServer } from '../../../mock-server/index.js';

const [mode = 'mock', profile = 'fast'] = process.argv.slice(2);

if (mode === 'bare') {
  // The floor: read the body, parse it, answer a JSON body of the same size with Server-Timing.
  const server = http.createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { max_tokens: number };
      const out = JSON.stringify({
        id: 'gen_1',
        result: 'the latency tail queue token server client load',
        usage: { prompt_tokens: 2, completion_tokens: body.max_tokens, total_tokens: body.max_tokens + 2 },
        meta: { latency_ms: 0.012, queue_ms: 0.003 },
      });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(out),
        'server-timing': 'app;dur=0.012, queue;dur=0.003',
      });
      res.end(out);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    console.log(`URL=http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    console.log('TOKEN=none');
  });
} else {
  const server = await startMockServer({ profile });
  const reply = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
  });
  const { access_token: token } = (await reply.json()) as { access_token: string };
  console.log(`URL=${server.url}`);
  console.log(`TOKEN=${token}`);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

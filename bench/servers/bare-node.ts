/**
 * The floor any Node server stands on: node:http answering "hello world" with nothing else. The mock's
 * requests/s are compared with this to see what its routing, auth and stats cost.
 */
import http from 'node:http';

const port = Number(process.argv[2] ?? 0);
const body = Buffer.from('hello world\n');
const server = http.createServer({ keepAliveTimeout: 10_000, noDelay: true }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.maxRequestsPerSocket = 0;
server.listen({ host: '127.0.0.1', port, backlog: 8192 }, () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));

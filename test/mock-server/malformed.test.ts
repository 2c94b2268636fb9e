import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGenerateBody } from '../../mock-server/request.js';
import { startMockServer, type RunningMockServer } from '../../mock-server/index.js';
import { getToken, json, request } from './client.js';

describe('malformed input', () => {
  let server: RunningMockServer;
  let token: string;
  beforeAll(async () => {
    server = await startMockServer({ profile: { limits: { bodyBytes: 64 * 1024 } } });
    token = await getToken(server.url);
  });
  afterAll(() => server.close());

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    request(`${server.url}/v1/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body,
    });

  async function stillServes(): Promise<void> {
    const health = await request(`${server.url}/healthz`, { agent: new http.Agent() });
    expect(health.status).toBe(200);
    expect(json(health)).toEqual({ ok: true });
  }

  it('answers 400 invalid_json to truncated JSON', async () => {
    const reply = await post('{"prompt":"hello","max_tokens":');
    expect(reply.status).toBe(400);
    expect(json(reply)['error']).toBe('invalid_json');
    expect(reply.headers['server-timing']).toMatch(/^app;dur=/);
    await stillServes();
  });

  it.each([
    [{ prompt: 42, max_tokens: 8, temperature: 0.5 }, 'prompt'],
    [{ prompt: 'x', max_tokens: '8', temperature: 0.5 }, 'max_tokens'],
    [{ prompt: 'x', max_tokens: 1.5, temperature: 0.5 }, 'max_tokens'],
    [{ prompt: 'x', max_tokens: 0, temperature: 0.5 }, 'max_tokens'],
    [{ prompt: 'x', max_tokens: 8, temperature: 'hot' }, 'temperature'],
    [{ prompt: 'x', temperature: 0.5 }, 'max_tokens'],
    [{ prompt: 'x', max_tokens: 8, temperature: 0.5, stream: 'yes' }, 'stream'],
    [{ prompt: 'x', max_tokens: 8, temperature: 0.5, async: 1 }, 'async'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const reply = await post(JSON.stringify(body));
    expect(reply.status).toBe(400);
    expect(json(reply)).toMatchObject({ error: 'invalid_request', field });
  });

  it('takes temperature as optional: a body without it is answered 200', async () => {
    const reply = await post(JSON.stringify({ prompt: 'x', max_tokens: 2 }));
    expect(reply.status).toBe(200);
    expect(parseGenerateBody('{"prompt":"x","max_tokens":2}', 8)).toMatchObject({ ok: true, value: { temperature: 1.0 } });
    expect(parseGenerateBody('{"prompt":"x","max_tokens":2,"temperature":0}', 8)).toMatchObject({ ok: true, value: { temperature: 0 } });
  });

  it('answers 400 to a JSON body that is not an object', async () => {
    expect((await post('[1,2,3]')).status).toBe(400);
    expect((await post('null')).status).toBe(400);
  });

  it('answers 413 to a body over the limit, declared by Content-Length or streamed chunked', async () => {
    const huge = Buffer.alloc(200 * 1024, 'a');
    const declared = await post(huge);
    expect(declared.status).toBe(413);
    expect(json(declared)['error']).toBe('payload_too_large');

    // Chunked: no Content-Length, so the server must count while reading and stop at the limit.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.url}/v1/generate`, {
        method: 'POST',
        agent: new http.Agent(),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(16 * 1024, 'b'));
      req.end();
    });
    expect(chunked).toBe(413);
    await stillServes();
  });

  it('answers 415 to a non-JSON content type', async () => {
    const reply = await post('prompt=x', { 'content-type': 'text/plain' });
    expect(reply.status).toBe(415);
    expect(json(reply)['error']).toBe('unsupported_media_type');
    // +json media types are JSON.
    expect(
      (await post(JSON.stringify({ prompt: 'x', max_tokens: 1, temperature: 0 }), { 'content-type': 'application/vnd.api+json' })).status,
    ).toBe(200);
  });

  it('answers 404 to an unknown route and 405 with Allow to a wrong method, both as JSON', async () => {
    const missing = await request(`${server.url}/v2/nothing`);
    expect(missing.status).toBe(404);
    expect(json(missing)['error']).toBe('not_found');
    const wrong = await request(`${server.url}/v1/generate`, { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers['allow']).toBe('POST');
    expect(json(wrong)['error']).toBe('method_not_allowed');
    expect(wrong.headers['server-timing']).toBeDefined();
  });

  it('answers 400 to garbage on the socket and keeps serving', async () => {
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(server.port, server.host);
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      socket.write('\u0000\u0001GARBAGE / NOT-HTTP\r\n\r\n');
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('server-timing: app;dur=0.000, queue;dur=0.000');
    expect(server.stats().byRoute['unmatched']?.['400']).toBeGreaterThanOrEqual(1);
    await stillServes();
  });

  it('counts what it answered, by route and status', () => {
    const generate = server.stats().byRoute['/v1/generate']!;
    expect(generate['400']).toBeGreaterThanOrEqual(10);
    expect(generate['413']).toBe(2);
    expect(generate['415']).toBe(1);
    expect(generate['405']).toBe(1);
  });
});

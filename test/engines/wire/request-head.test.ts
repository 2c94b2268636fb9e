import { describe, expect, it } from 'vitest';
import type { PreparedRequest } from '../../../src/engines/types.js';
import { EncodedRequests, encodeRequest, InvalidHeaderError } from '../../../src/engines/wire/request-head.js';

const HEAD = { host: 'api.test:8080', keepAlive: true };
const GET: PreparedRequest = { name: 'get', method: 'GET', path: '/v1/x?q=1', headers: {}, stream: 'none' };

const text = (bytes: Buffer) => bytes.toString('latin1');

describe('encodeRequest', () => {
  it.each<[string, PreparedRequest, { host: string; keepAlive: boolean }, string | undefined, string]>([
    ['a bare GET: request line and Host', GET, HEAD, undefined, 'GET /v1/x?q=1 HTTP/1.1\r\nhost: api.test:8080\r\n\r\n'],
    [
      'headers in the order given, Host from the target rather than from the request',
      { ...GET, headers: { accept: '*/*', host: 'evil.test', 'x-b': '2' } },
      HEAD,
      undefined,
      'GET /v1/x?q=1 HTTP/1.1\r\nhost: api.test:8080\r\naccept: */*\r\nx-b: 2\r\n\r\n',
    ],
    [
      'the authorization passed in, after the other headers, over one in the request',
      { ...GET, headers: { authorization: 'Bearer preset', accept: '*/*' } },
      HEAD,
      'Bearer fresh',
      'GET /v1/x?q=1 HTTP/1.1\r\nhost: api.test:8080\r\naccept: */*\r\nauthorization: Bearer fresh\r\n\r\n',
    ],
    [
      "the request's own authorization when none is passed in",
      { ...GET, headers: { authorization: 'Basic abc' } },
      HEAD,
      undefined,
      'GET /v1/x?q=1 HTTP/1.1\r\nhost: api.test:8080\r\nauthorization: Basic abc\r\n\r\n',
    ],
    [
      'Connection: close when keep-alive is off, whatever the request says',
      { ...GET, headers: { connection: 'keep-alive' } },
      { ...HEAD, keepAlive: false },
      undefined,
      'GET /v1/x?q=1 HTTP/1.1\r\nhost: api.test:8080\r\nconnection: close\r\n\r\n',
    ],
    [
      'no Connection header at all when keep-alive is on (HTTP/1.1 default)',
      { ...GET, headers: { connection: 'close' } },
      HEAD,
      undefined,
      'GET /v1/x?q=1 HTTP/1.1\r\nhost: api.test:8080\r\n\r\n',
    ],
    [
      "a body after the head, in the same buffer, with the preparer's Content-Length",
      { ...GET, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '7' }, body: Buffer.from('{"a":1}') },
      HEAD,
      undefined,
      'POST /v1/x?q=1 HTTP/1.1\r\nhost: api.test:8080\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\n{"a":1}',
    ],
    [
      'a Content-Length for a body that came without one, so the body is not read as the next request',
      { ...GET, method: 'POST', body: Buffer.from('abc') },
      HEAD,
      undefined,
      'POST /v1/x?q=1 HTTP/1.1\r\nhost: api.test:8080\r\ncontent-length: 3\r\n\r\nabc',
    ],
  ])('%s', (_name, request, options, authorization, expected) => {
    expect(text(encodeRequest(request, options, authorization))).toBe(expected);
  });

  it.each<[string, PreparedRequest, string | undefined]>([
    ['CR LF in a header value', { ...GET, headers: { 'x-a': 'b\r\nx-injected: 1' } }, undefined],
    ['a bare LF in a header value', { ...GET, headers: { 'x-a': 'b\nx' } }, undefined],
    ['a NUL in a header value', { ...GET, headers: { 'x-a': 'b\0' } }, undefined],
    ['CR LF in a header name', { ...GET, headers: { 'x-a\r\nx-b': '1' } }, undefined],
    ['CR LF in the authorization passed in', GET, 'Bearer x\r\nx-injected: 1'],
    ['a space in the path', { ...GET, path: '/a b' }, undefined],
    ['CR LF in the path', { ...GET, path: '/a\r\nx-injected: 1' }, undefined],
    ['a line break in the method', { ...GET, method: 'GET\r\n' }, undefined],
  ])('refuses %s with ERR_INVALID_CHAR', (_name, request, authorization) => {
    let thrown: unknown;
    try {
      encodeRequest(request, HEAD, authorization);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidHeaderError);
    expect((thrown as InvalidHeaderError).code).toBe('ERR_INVALID_CHAR');
  });
});

describe('EncodedRequests', () => {
  it('encodes a request once per token and hands out the same bytes while the token stays', () => {
    const encoded = new EncodedRequests(HEAD);
    const first = encoded.bytesOf(GET, 'Bearer x');
    expect(encoded.bytesOf(GET, 'Bearer x')).toBe(first);
    const refreshed = encoded.bytesOf(GET, 'Bearer y');
    expect(refreshed).not.toBe(first);
    expect(text(refreshed)).toBe(text(first).replace('Bearer x', 'Bearer y'));
    expect(encoded.bytesOf(GET, 'Bearer y')).toBe(refreshed);
  });

  it('keeps requests apart, and tells "no token" from a token', () => {
    const encoded = new EncodedRequests(HEAD);
    const other: PreparedRequest = { ...GET, path: '/other' };
    const withoutToken = encoded.bytesOf(GET, undefined);
    expect(text(encoded.bytesOf(other, undefined))).toContain('GET /other ');
    expect(encoded.bytesOf(GET, undefined)).toBe(withoutToken);
    expect(text(encoded.bytesOf(GET, 'Bearer x'))).toContain('authorization: Bearer x\r\n');
  });
});

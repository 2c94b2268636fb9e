import { describe, expect, it } from 'vitest';
import { Progress, ResponseParser } from '../../../src/engines/wire/response-parser.js';
import { parse, parsePieces, toBuffer, type ParseOptions, type ParseSummary } from './parse-helpers.js';

type Expected = Partial<ParseSummary>;

const OK_HELLO = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';

describe('ResponseParser: framing of complete responses', () => {
  it.each<[string, string, ParseOptions, Expected]>([
    [
      'a Content-Length body',
      OK_HELLO,
      {},
      { ended: 'complete', atEof: false, status: 200, keepAlive: true, body: 'hello', bodyBytes: 5, unconsumed: 0 },
    ],
    [
      'a zero Content-Length: complete at the end of the head',
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
      {},
      { ended: 'complete', status: 200, keepAlive: true, body: '', bodyBytes: 0, unconsumed: 0 },
    ],
    [
      'a repeated, equal Content-Length',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok',
      {},
      { ended: 'complete', body: 'ok' },
    ],
    [
      'a status line without a reason phrase',
      'HTTP/1.1 201\r\nContent-Length: 1\r\n\r\nx',
      {},
      { ended: 'complete', status: 201, body: 'x' },
    ],
    [
      'chunked with chunk extensions and trailers, de-chunked',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '5;name=value\r\nhello\r\n6 ; a ; b="c d"\r\n world\r\n0;last\r\nX-Trailer: 1\r\nX-Other: two\r\n\r\n',
      {},
      { ended: 'complete', status: 200, keepAlive: true, body: 'hello world', bodyBytes: 11, unconsumed: 0 },
    ],
    [
      'chunked with upper- and lower-case hex sizes and no trailers',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\nA\r\n0123456789\r\nb\r\nabcdefghijk\r\n0\r\n\r\n',
      {},
      { ended: 'complete', body: '0123456789abcdefghijk', bodyBytes: 21 },
    ],
    [
      'chunked as the last of several codings',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nzz\r\n0\r\n\r\n',
      {},
      { ended: 'complete', body: 'zz', keepAlive: true },
    ],
    [
      'a body without length: still open until the connection ends',
      'HTTP/1.1 200 OK\r\n\r\nabc',
      {},
      { ended: 'need_more', status: 200, body: 'abc', bodyBytes: 3 },
    ],
    [
      'a body without length: complete at EOF (finishAtEof), connection not reusable',
      'HTTP/1.1 200 OK\r\n\r\nabc',
      { eof: true },
      { ended: 'complete', atEof: true, status: 200, keepAlive: false, body: 'abc', bodyBytes: 3 },
    ],
    [
      'an empty close-delimited body at EOF',
      'HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n',
      { eof: true },
      { ended: 'complete', atEof: true, keepAlive: false, body: '' },
    ],
    [
      'a final coding other than chunked: close-delimited',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nab',
      { eof: true },
      { ended: 'complete', keepAlive: false, body: '5\r\nab' },
    ],
  ])('%s', (_name, raw, options, expected) => {
    expect(parse(raw, options)).toMatchObject(expected);
  });
});

describe('ResponseParser: interim responses and bodiless responses', () => {
  it.each<[string, string, ParseOptions, Expected]>([
    [
      '100 Continue is skipped before the final response',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
      {},
      { ended: 'complete', status: 200, body: 'ok', unconsumed: 0 },
    ],
    [
      '103 Early Hints is skipped and its headers are not read as the final ones',
      'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nRetry-After: 9\r\n\r\n' +
        'HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n',
      { wanted: ['link', 'retry-after'] },
      { ended: 'complete', status: 429, wanted: [undefined, undefined] },
    ],
    [
      'several interim responses in a row',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!',
      {},
      { ended: 'complete', status: 200, body: '!' },
    ],
    [
      'only an interim response, then EOF: truncated',
      'HTTP/1.1 100 Continue\r\n\r\n',
      { eof: true },
      { ended: 'failed', status: 0, failure: { kind: 'reset', code: 'HPE_TRUNCATED' } },
    ],
    [
      '101 Switching Protocols is not an interim response a plain request can get',
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n',
      {},
      { ended: 'failed', failure: { kind: 'garbage', code: 'HPE_UNEXPECTED_UPGRADE' } },
    ],
    [
      'no body for HEAD, whatever Content-Length says',
      'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n',
      { method: 'HEAD' },
      { ended: 'complete', status: 200, keepAlive: true, body: '', bodyBytes: 0, unconsumed: 0 },
    ],
    [
      'no body for HEAD with chunked',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
      { method: 'HEAD' },
      { ended: 'complete', bodyBytes: 0 },
    ],
    [
      'no body for 204',
      'HTTP/1.1 204 No Content\r\n\r\n',
      {},
      { ended: 'complete', status: 204, keepAlive: true, bodyBytes: 0, unconsumed: 0 },
    ],
    [
      'no body for 304 even with a Content-Length',
      'HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n',
      {},
      { ended: 'complete', status: 304, bodyBytes: 0, unconsumed: 0 },
    ],
    [
      'bytes after a 204 are not its body',
      'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200',
      {},
      { ended: 'complete', status: 204, bodyBytes: 0, unconsumed: 12 },
    ],
  ])('%s', (_name, raw, options, expected) => {
    expect(parse(raw, options)).toMatchObject(expected);
  });
});

describe('ResponseParser: whether the connection may be reused', () => {
  it.each<[string, boolean, string]>([
    ['HTTP/1.1 by default', true, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/1.1 with Connection: close', false, 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/1.1 with Connection: Close (case-insensitive)', false, 'HTTP/1.1 200 OK\r\nCONNECTION: Close\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/1.1 with close among other tokens', false, 'HTTP/1.1 200 OK\r\nConnection: te, close\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/1.1 with Connection: keep-alive', true, 'HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'],
    [
      'HTTP/1.1 with a connection option that merely contains "close"',
      true,
      'HTTP/1.1 200 OK\r\nConnection: x-close-reason\r\nContent-Length: 0\r\n\r\n',
    ],
    ['HTTP/1.0 by default', false, 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/1.0 with Connection: keep-alive', true, 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/1.0 with keep-alive but no length (the body runs to EOF)', false, 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n'],
    [
      'HTTP/1.0 with close and keep-alive on separate lines: close wins',
      false,
      'HTTP/1.0 200 OK\r\nConnection: close\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n',
    ],
  ])('%s → keepAlive %s', (_name, keepAlive, raw) => {
    expect(parse(raw).keepAlive).toBe(keepAlive);
  });
});

describe('ResponseParser: wanted headers', () => {
  it('reads wanted headers case-insensitively, trims them and joins repeats with ", "', () => {
    const raw =
      'HTTP/1.1 200 OK\r\nSERVER-TIMING: app;dur=1\r\nX-Other: no\r\nserver-timing:queue;dur=2  \r\n' +
      'Retry-After:   3\r\nContent-Length: 0\r\n\r\n';
    expect(parse(raw, { wanted: ['Server-Timing', 'retry-after', 'x-absent'] }).wanted).toEqual(['app;dur=1, queue;dur=2', '3', undefined]);
  });

  it('keeps an empty wanted header as an empty string, not as absent', () => {
    expect(parse('HTTP/1.1 200 OK\r\nRetry-After:\r\nContent-Length: 0\r\n\r\n', { wanted: ['retry-after'] }).wanted).toEqual(['']);
  });
});

describe('ResponseParser: leftover after a complete message', () => {
  it.each<[string, string, number]>([
    ['after a Content-Length body', `${OK_HELLO}HTTP/1.1 200 OK\r\n`, 17],
    ['after a chunked body with trailers', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nT: 1\r\n\r\nxyz', 3],
    ['after a HEAD response', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc', 3],
    ['none when the message ends with the read', OK_HELLO, 0],
  ])('%s', (name, raw, leftover) => {
    const summary = parse(raw, { method: name.includes('HEAD') ? 'HEAD' : 'GET' });
    expect(summary.ended).toBe('complete');
    expect(summary.unconsumed).toBe(leftover);
  });

  it('parses the next response on the same parser after reset()', () => {
    const sunk: string[] = [];
    const parser = new ResponseParser(['x-n'], undefined, (data, start, end) => sunk.push(data.toString('latin1', start, end)));
    parser.reset('GET');
    expect(parser.execute(toBuffer('HTTP/1.1 200 OK\r\nX-N: 1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n'))).toBe(
      Progress.Complete,
    );
    parser.reset('GET');
    expect(parser.status).toBe(0);
    expect(parser.started).toBe(false);
    expect(parser.execute(toBuffer('HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nc'))).toBe(Progress.Complete);
    expect([parser.status, parser.wanted, parser.bodyBytes, sunk.join('')]).toEqual([404, [undefined], 1, 'abc']);
  });
});

describe('ResponseParser: limits', () => {
  it.each<[string, string, ParseOptions, Expected]>([
    [
      'a Content-Length above maxBodyBytes fails before any body byte',
      'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello',
      { limits: { maxBodyBytes: 10 } },
      { ended: 'failed', status: 200, body: '', failure: { kind: 'too_large', code: 'E_RESPONSE_TOO_LARGE' } },
    ],
    [
      'a Content-Length of exactly maxBodyBytes is fine',
      'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789',
      { limits: { maxBodyBytes: 10 } },
      { ended: 'complete', bodyBytes: 10 },
    ],
    [
      'a chunked body growing past maxBodyBytes fails at the chunk that crosses it',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n',
      { limits: { maxBodyBytes: 10 } },
      { ended: 'failed', body: 'abcdef', bodyBytes: 6, failure: { kind: 'too_large', code: 'E_RESPONSE_TOO_LARGE' } },
    ],
    [
      'a chunked body of exactly maxBodyBytes is fine',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n4\r\nghij\r\n0\r\n\r\n',
      { limits: { maxBodyBytes: 10 } },
      { ended: 'complete', bodyBytes: 10 },
    ],
    [
      'a close-delimited body growing past maxBodyBytes',
      `HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(11)}`,
      { limits: { maxBodyBytes: 10 }, eof: true },
      { ended: 'failed', failure: { kind: 'too_large', code: 'E_RESPONSE_TOO_LARGE' } },
    ],
    [
      'a header block over maxHeaderBytes',
      `HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(100)}\r\nContent-Length: 0\r\n\r\n`,
      { limits: { maxHeaderBytes: 64 } },
      { ended: 'failed', failure: { kind: 'garbage', code: 'HPE_HEADER_OVERFLOW' } },
    ],
    [
      'a header block that never ends fails once past maxHeaderBytes, before EOF',
      `HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(100)}`,
      { limits: { maxHeaderBytes: 64 } },
      { ended: 'failed', atEof: false, failure: { kind: 'garbage', code: 'HPE_HEADER_OVERFLOW' } },
    ],
    [
      'a header block of exactly maxHeaderBytes (terminator included) is fine',
      `HTTP/1.1 200 OK\r\nX: ${'b'.repeat(40)}\r\n\r\n`,
      { limits: { maxHeaderBytes: 64 }, eof: true },
      { ended: 'complete' },
    ],
    [
      'more headers than maxHeaderCount',
      'HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n',
      { limits: { maxHeaderCount: 3 } },
      { ended: 'failed', failure: { kind: 'garbage', code: 'HPE_HEADER_OVERFLOW' } },
    ],
    [
      'exactly maxHeaderCount headers is fine',
      'HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n',
      { limits: { maxHeaderCount: 3 } },
      { ended: 'complete' },
    ],
    [
      'trailers over maxHeaderBytes',
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: ${'t'.repeat(100)}\r\n\r\n`,
      { limits: { maxHeaderBytes: 64 } },
      { ended: 'failed', failure: { kind: 'garbage', code: 'HPE_HEADER_OVERFLOW' } },
    ],
  ])('%s', (_name, raw, options, expected) => {
    expect(parse(raw, options)).toMatchObject(expected);
  });

  it('counts the exact-size header block test case right', () => {
    // Guards the "exactly maxHeaderBytes" row above against an edit that changes its length.
    expect(`HTTP/1.1 200 OK\r\nX: ${'b'.repeat(40)}\r\n\r\n`.length).toBe(64);
  });
});

describe('ResponseParser: malformed responses fail with a code, never throw', () => {
  it.each<[string, string, string, string]>([
    ['not HTTP at all', 'SSH-2.0-OpenSSH_9.6\r\n\r\n', 'garbage', 'HPE_INVALID_CONSTANT'],
    ['an HTTP/2 status line', 'HTTP/2 200\r\n\r\n', 'garbage', 'HPE_INVALID_CONSTANT'],
    ['a lower-case protocol name', 'http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 'garbage', 'HPE_INVALID_CONSTANT'],
    ['HTTP/1.2', 'HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n', 'garbage', 'HPE_INVALID_STATUS'],
    ['a two-digit status', 'HTTP/1.1 20 OK\r\n\r\n', 'garbage', 'HPE_INVALID_STATUS'],
    ['a status below 100', 'HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n', 'garbage', 'HPE_INVALID_STATUS'],
    ['a NUL in the head', 'HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n', 'garbage', 'HPE_INVALID_HEADER_TOKEN'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'garbage', 'HPE_INVALID_HEADER_TOKEN'],
    ['a space in a header name', 'HTTP/1.1 200 OK\r\nX A: 1\r\n\r\n', 'garbage', 'HPE_INVALID_HEADER_TOKEN'],
    ['an obsolete folded header line', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\n\r\n', 'garbage', 'HPE_INVALID_HEADER_TOKEN'],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'garbage', 'HPE_INVALID_CONTENT_LENGTH'],
    ['a non-numeric Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n', 'garbage', 'HPE_INVALID_CONTENT_LENGTH'],
    [
      'conflicting Content-Lengths',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      'garbage',
      'HPE_INVALID_CONTENT_LENGTH',
    ],
    ['a Content-Length list', 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nab', 'garbage', 'HPE_INVALID_CONTENT_LENGTH'],
    [
      'Transfer-Encoding: chunked together with Content-Length is refused',
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'garbage',
      'HPE_UNEXPECTED_CONTENT_LENGTH',
    ],
    [
      'Content-Length after Transfer-Encoding: chunked is refused too',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'garbage',
      'HPE_UNEXPECTED_CONTENT_LENGTH',
    ],
    ['a non-hex chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'garbage', 'HPE_INVALID_CHUNK_SIZE'],
    [
      'a negative chunk size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nabcde\r\n0\r\n\r\n',
      'garbage',
      'HPE_INVALID_CHUNK_SIZE',
    ],
    [
      'a chunk size with a 0x prefix',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nabcde\r\n',
      'garbage',
      'HPE_INVALID_CHUNK_SIZE',
    ],
    [
      'a chunk size of 13 hex digits',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000\r\n',
      'garbage',
      'HPE_INVALID_CHUNK_SIZE',
    ],
    [
      'a huge chunk size within 12 digits',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffff\r\n',
      'too_large',
      'E_RESPONSE_TOO_LARGE',
    ],
    [
      'a chunk-size line ending in a bare LF',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n',
      'garbage',
      'HPE_INVALID_CHUNK_SIZE',
    ],
    ['an empty chunk-size line', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n', 'garbage', 'HPE_INVALID_CHUNK_SIZE'],
    [
      'a chunk longer than its size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n',
      'garbage',
      'HPE_INVALID_CHUNK_SIZE',
    ],
    [
      'a chunk-size line that never ends',
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(5000)}`,
      'garbage',
      'HPE_INVALID_CHUNK_SIZE',
    ],
    [
      'a malformed trailer line',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n',
      'garbage',
      'HPE_INVALID_TRAILER',
    ],
  ])('%s', (_name, raw, kind, code) => {
    const summary = parse(raw, { eof: true });
    expect(summary.ended).toBe('failed');
    expect(summary.failure).toEqual({ kind, code });
    expect(summary.keepAlive).toBe(false);
  });

  it.each<[string, string, string]>([
    ['nothing at all', '', 'HPE_NO_RESPONSE'],
    ['half a status line', 'HTTP/1.1 20', 'HPE_TRUNCATED'],
    ['a head without its end', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n', 'HPE_TRUNCATED'],
    ['a Content-Length body cut short', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel', 'HPE_TRUNCATED'],
    ['a chunked body cut inside a chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', 'HPE_TRUNCATED'],
    ['a chunked body cut before the last chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', 'HPE_TRUNCATED'],
    ['a chunked body cut inside the trailers', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 1\r\n', 'HPE_TRUNCATED'],
  ])('EOF after %s → reset %s', (_name, raw, code) => {
    const summary = parse(raw, { eof: true });
    expect(summary).toMatchObject({ ended: 'failed', atEof: true, failure: { kind: 'reset', code } });
  });

  it.each<[string, string]>([
    ['an HTML page', '<html><body>oops'],
    ['a TLS alert to a plain-text request', '\x15\x03\x01\x00\x02\x02\x46'],
    ['a near miss of the protocol name', 'HTTQ'],
  ])('fails %s as garbage at once, not as a truncated head at EOF', (_name, raw) => {
    expect(parse(raw)).toMatchObject({ ended: 'failed', atEof: false, failure: { kind: 'garbage', code: 'HPE_INVALID_CONSTANT' } });
  });

  it('waits for more on a partial status line that still reads like HTTP/1.x', () => {
    expect(parse('HTTP/1').ended).toBe('need_more');
  });

  it('stays failed for any later read, an empty one included', () => {
    const parser = new ResponseParser([]);
    parser.reset('GET');
    expect(parser.execute(toBuffer('HTTP/9.9 200 OK\r\n\r\n'))).toBe(Progress.Failed);
    expect(parser.execute(toBuffer('more'))).toBe(Progress.Failed);
    expect(parser.execute(Buffer.alloc(0))).toBe(Progress.Failed);
    expect(parser.finishAtEof()).toBe(Progress.Failed);
  });
});

describe('ResponseParser: the body sink', () => {
  it('receives exactly the de-chunked payload, bytes that look like framing included', () => {
    // The chunk data holds CRLF, a chunk-size line and a terminator: payload, not framing.
    const payload = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x80]);
    const raw = Buffer.concat([
      toBuffer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n'),
      payload.subarray(0, 4),
      toBuffer('\r\n6;ext\r\n'),
      payload.subarray(4),
      toBuffer('\r\n0\r\n\r\n'),
    ]);
    const summary = parse(raw);
    expect(summary.ended).toBe('complete');
    expect(Buffer.from(summary.body, 'latin1').equals(payload)).toBe(true);
    expect(summary.bodyBytes).toBe(payload.length);
  });

  it('receives a Content-Length body byte for byte across reads, and nothing of the next message', () => {
    const pieces = ['HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nab', 'cd', 'efHTTP/1.1'].map(toBuffer);
    expect(parsePieces(pieces)).toMatchObject({ ended: 'complete', body: 'abcdef', unconsumed: 8 });
  });

  it('is not called for a bodiless response', () => {
    let calls = 0;
    const parser = new ResponseParser([], undefined, () => {
      calls += 1;
    });
    parser.reset('HEAD');
    expect(parser.execute(toBuffer('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n'))).toBe(Progress.Complete);
    expect(calls).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { checkSchema } from '../../src/scenario/check-schema.js';
import { compileCheck } from '../../src/metrics/grammar/check.js';
import { checkFailure } from '../../src/client/checks.js';
import { ResponseView } from '../../src/client/response-view.js';

const BODY = JSON.stringify({
  ok: false,
  id: 'job-7',
  status: 'queued',
  usage: { completion_tokens: 12 },
  tags: ['a', 'b'],
  nothing: null,
  result: 'the result text',
});
const HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\nx-request-id: r-1\r\nset-cookie: a=1\r\nset-cookie: b=2';

function response(status = 200, body = BODY, head = HEAD): ResponseView {
  return new ResponseView(status, { head, body: Buffer.from(body) });
}

/** A check as a scenario writes it, through the scenario's own validation, run on the response. */
function run(written: Record<string, unknown>, view = response()): { label: string; failure: string | undefined } {
  const spec = checkSchema.parse(written);
  return { label: spec.label, failure: checkFailure(compileCheck(spec), view) };
}

describe('response checks: every operator passes, fails, and says why', () => {
  it.each([
    // written, label, reason on failure (undefined: passes)
    [{ status: 200 }, 'status 200', undefined],
    [{ status: 201 }, 'status 201', 'status 200, expected 201'],
    [{ status: [200, 204] }, 'status in 200, 204', undefined],
    [{ status: [201, 204] }, 'status in 201, 204', 'status 200, expected one of 201, 204'],
    [{ status: '2xx' }, 'status 2xx', undefined],
    [{ status: '4xx' }, 'status 4xx', 'status 200, expected 4xx'],
    [{ json: '$.ok', equals: false }, '$.ok == false', undefined],
    [{ json: '$.ok', equals: true }, '$.ok == true', '$.ok is false, expected true'],
    [{ json: '$.usage', equals: { completion_tokens: 12 } }, '$.usage == {"completion_tokens":12}', undefined],
    [{ json: '$.id', notEquals: 'job-8' }, '$.id != "job-8"', undefined],
    [{ json: '$.id', notEquals: 'job-7' }, '$.id != "job-7"', '$.id is "job-7", expected anything else'],
    [{ json: '$.usage.completion_tokens', gt: 0 }, '$.usage.completion_tokens > 0', undefined],
    [{ json: '$.usage.completion_tokens', gt: 12 }, '$.usage.completion_tokens > 12', '$.usage.completion_tokens is 12, expected > 12'],
    [{ json: '$.usage.completion_tokens', gte: 12 }, '$.usage.completion_tokens >= 12', undefined],
    [{ json: '$.usage.completion_tokens', gte: 13 }, '$.usage.completion_tokens >= 13', '$.usage.completion_tokens is 12, expected >= 13'],
    [{ json: '$.usage.completion_tokens', lt: 13 }, '$.usage.completion_tokens < 13', undefined],
    [{ json: '$.usage.completion_tokens', lt: 12 }, '$.usage.completion_tokens < 12', '$.usage.completion_tokens is 12, expected < 12'],
    [{ json: '$.usage.completion_tokens', lte: 12 }, '$.usage.completion_tokens <= 12', undefined],
    [{ json: '$.usage.completion_tokens', lte: 11 }, '$.usage.completion_tokens <= 11', '$.usage.completion_tokens is 12, expected <= 11'],
    [{ json: '$.id', gt: 0 }, '$.id > 0', '$.id is "job-7", expected a number > 0'],
    [{ json: '$.status', in: ['queued', 'running'] }, '$.status in ["queued","running"]', undefined],
    [
      { json: '$.status', in: ['done', 'failed'] },
      '$.status in ["done","failed"]',
      '$.status is "queued", expected one of "done", "failed"',
    ],
    [{ json: '$.result', contains: 'result' }, '$.result contains "result"', undefined],
    [{ json: '$.result', contains: 'error' }, '$.result contains "error"', '$.result is "the result text", expected it to contain "error"'],
    [{ json: '$.tags', contains: 'b' }, '$.tags contains "b"', undefined],
    [{ json: '$.tags', contains: 'c' }, '$.tags contains "c"', '$.tags is ["a","b"], expected it to contain "c"'],
    [
      { json: '$.usage', contains: 'x' },
      '$.usage contains "x"',
      '$.usage is {"completion_tokens":12}, expected a string or a list containing "x"',
    ],
    [{ json: '$.tags', notContains: 'c' }, '$.tags does not contain "c"', undefined],
    [{ json: '$.tags', notContains: 'a' }, '$.tags does not contain "a"', '$.tags is ["a","b"], expected it not to contain "a"'],
    [{ json: '$.id', matches: '^job-\\d+$' }, '$.id matches /^job-\\d+$/', undefined],
    [{ json: '$.usage.completion_tokens', matches: '^1\\d$' }, '$.usage.completion_tokens matches /^1\\d$/', undefined],
    [{ json: '$.id', matches: '^task-' }, '$.id matches /^task-/', '$.id is "job-7", expected to match /^task-/'],
    [{ json: '$.tags', matches: 'a' }, '$.tags matches /a/', '$.tags is ["a","b"], expected text matching /a/'],
    [{ json: '$.id' }, '$.id exists', undefined],
    [{ json: '$.nothing', exists: true }, '$.nothing exists', undefined],
    [{ json: '$.error', exists: true }, '$.error exists', '$.error is missing'],
    [{ json: '$.error', exists: false }, '$.error absent', undefined],
    [{ json: '$.id', exists: false }, '$.id absent', '$.id is "job-7", expected it absent'],
    [{ json: '$.missing', equals: 1 }, '$.missing == 1', '$.missing is missing'],
    [{ body: { contains: 'result' } }, 'body contains "result"', undefined],
    [{ body: { contains: 'error' } }, 'body contains "error"', 'body does not contain "error"'],
    [{ body: { notContains: 'error' } }, 'body does not contain "error"', undefined],
    [{ body: { notContains: 'queued' } }, 'body does not contain "queued"', 'body contains "queued"'],
    [{ body: { matches: '"ok":\\s*false' } }, 'body matches /"ok":\\s*false/', undefined],
    [{ body: { matches: '"ok":\\s*true' } }, 'body matches /"ok":\\s*true/', 'body does not match /"ok":\\s*true/'],
    [{ header: 'content-type', matches: 'json' }, 'header content-type matches /json/', undefined],
    [
      { header: 'Content-Type', matches: '^text/' },
      'header Content-Type matches /^text\\//',
      'header Content-Type ("application/json; charset=utf-8") does not match /^text\\//',
    ],
    [{ header: 'x-request-id', equals: 'r-1' }, 'header x-request-id == "r-1"', undefined],
    [{ header: 'x-request-id', equals: 'r-2' }, 'header x-request-id == "r-2"', 'header x-request-id is "r-1", expected "r-2"'],
    [{ header: 'x-request-id', notEquals: 'r-1' }, 'header x-request-id != "r-1"', 'header x-request-id is "r-1", expected anything else'],
    [{ header: 'set-cookie', contains: 'b=2' }, 'header set-cookie contains "b=2"', undefined],
    [
      { header: 'set-cookie', notContains: 'b=2' },
      'header set-cookie does not contain "b=2"',
      'header set-cookie ("a=1, b=2") contains "b=2"',
    ],
    [{ header: 'retry-after' }, 'header retry-after exists', 'header retry-after is missing'],
    [{ header: 'retry-after', exists: false }, 'header retry-after absent', undefined],
    [{ header: 'retry-after', equals: '1' }, 'header retry-after == "1"', 'header retry-after is missing'],
    [{ json: '$.ok', equals: true, name: 'job accepted' }, 'job accepted', '$.ok is false, expected true'],
  ] as [Record<string, unknown>, string, string | undefined][])('%j → %s', (written, label, reason) => {
    expect(run(written)).toEqual({ label, failure: reason });
  });

  it('fails a JSON check on a body that is not JSON, saying so', () => {
    const html = response(200, '<html>oops</html>', 'HTTP/1.1 200 OK\r\ncontent-type: text/html');
    expect(run({ json: '$.ok', equals: true }, html).failure).toMatch(/^body is not JSON \(Unexpected token/);
  });

  it('cuts a long value short in the reason', () => {
    const long = response(200, JSON.stringify({ text: 'x'.repeat(500) }));
    const { failure } = run({ json: '$.text', equals: 'y' }, long);
    expect(failure!.length).toBeLessThan(100);
    expect(failure).toMatch(/…, expected "y"$/);
  });
});

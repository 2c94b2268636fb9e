import { describe, expect, it } from 'vitest';
import { RequestPreparer, withQuery, type RequestPlan } from '../../src/client/prepare.js';
import { createRandom } from '../../src/shared/random.js';

const plan = (over: Partial<RequestPlan>): RequestPlan => ({
  name: 'g',
  method: 'POST',
  path: '/g',
  headers: {},
  stream: 'none',
  weight: 1,
  ...over,
});
const rows = (feeder: string) => ({ id: `${feeder}-row` });

describe('RequestPreparer', () => {
  it('renders templates in the path, the query, the headers and the body, from one draw per request', () => {
    const preparer = new RequestPreparer(
      [
        plan({
          path: '/items/{{ ids.id }}',
          query: { vu: '{{ vu }}', q: 'a b&c', n: 3 },
          headers: { 'X-Request-Id': '{{ uuid }}', 'X-Iteration': '{{ iteration }}' },
          json: { id: '{{ uuid }}', item: '{{ ids.id }}' },
        }),
      ],
      rows,
      createRandom(1),
      { 'user-agent': 'tailscope/test' },
    );
    const request = preparer.next({ vu: 4, iteration: 9 });
    const id = request.headers['x-request-id']!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.path).toBe('/items/ids-row?vu=4&q=a%20b%26c&n=3');
    expect(request.headers['x-iteration']).toBe('9');
    expect(request.headers['user-agent']).toBe('tailscope/test');
    expect(JSON.parse(request.body!.toString())).toEqual({ id, item: 'ids-row' });
  });

  it('gives a templated request a new object each time (the wire engine caches bytes per object), a plain one the same', () => {
    const templated = new RequestPreparer([plan({ headers: { 'X-Request-Id': '{{ uuid }}' } })], rows, createRandom(1), {});
    const a = templated.next();
    const b = templated.next();
    expect(a).not.toBe(b);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    const plain = new RequestPreparer([plan({ headers: { 'X-Static': 'yes' } })], rows, createRandom(1), {});
    expect(plain.next()).toBe(plain.next());
  });

  it('lets a scenario header replace a default one, whatever its case', () => {
    const preparer = new RequestPreparer([plan({ headers: { 'User-Agent': 'probe/1' } })], rows, createRandom(1), {
      'user-agent': 'tailscope/test',
    });
    expect(preparer.next().headers['user-agent']).toBe('probe/1');
  });

  it.each([
    ['/a', { x: '1' }, '/a?x=1'],
    ['/a?y=2', { x: '1' }, '/a?y=2&x=1'],
    ['/a', {}, '/a'],
    ['/a', { 'k y': 'ü/?' }, '/a?k%20y=%C3%BC%2F%3F'],
  ])('withQuery(%s, %j) is %s', (path, query, expected) => {
    expect(withQuery(path, query)).toBe(expected);
  });
});

describe('RequestPreparer: which responses the engine keeps', () => {
  const status = { label: 'status 200', subject: 'status', operator: 'in', value: [200] } as const;
  const json = { label: '$.ok == true', subject: 'json', at: '$.ok', operator: 'equals', value: true } as const;
  it.each([
    ['no checks, no usage', {}, false],
    ['status checks only (the status needs no body)', { checks: [status] }, false],
    ['usage: false', { usage: false }, false],
    ['a JSON check', { checks: [status, json] }, true],
    ['usage: true', { usage: true }, true],
    ['a usage path', { usage: '$.meta.tokens' }, true],
  ] as [string, Partial<RequestPlan>, boolean][])('%s → readResponse %s', (_what, over, kept) => {
    const prepared = new RequestPreparer(
      [plan({ ...over, checks: over.checks?.map((c) => ({ ...c })) })],
      rows,
      createRandom(1),
      {},
    ).next();
    expect(prepared.readResponse === true).toBe(kept);
  });
});

import { describe, expect, it } from 'vitest';
import { compileJsonPath, JsonPathSyntaxError, parseJsonBody, readJsonPath } from '../../src/shared/json-path.js';

const document = {
  ok: true,
  id: 'job-7',
  usage: { completion_tokens: 42 },
  choices: [{ text: 'a' }, { text: 'b' }],
  'x-odd name': 1,
  nothing: null,
};

describe('JSON paths', () => {
  it.each([
    ['$', document],
    ['$.ok', true],
    ['$.usage.completion_tokens', 42],
    ["$['usage']['completion_tokens']", 42],
    ['$.choices[0].text', 'a'],
    ['$.choices[-1].text', 'b'],
    ['$.choices[2]', undefined],
    ["$['x-odd name']", 1],
    ['$.nothing', null],
    ['$.nothing.deeper', undefined],
    ['$.missing.deeper', undefined],
    ['$.choices.text', undefined],
    ['$.usage[0]', undefined],
    ['$.toString', undefined],
  ])('%s reads %j', (path, expected) => {
    expect(readJsonPath(compileJsonPath(path), document)).toEqual(expected);
  });

  it.each([
    ['usage.completion_tokens', 1],
    ['$.', 3],
    ['$.a[', 4],
    ['$.a[*]', 5],
    ['$..a', 3],
    ['$.a b', 4],
  ])('refuses %s, pointing at column %i', (path, column) => {
    expect(() => compileJsonPath(path)).toThrow(JsonPathSyntaxError);
    try {
      compileJsonPath(path);
    } catch (error) {
      expect((error as JsonPathSyntaxError).column).toBe(column);
    }
  });

  it('parses a JSON body, or says why not', () => {
    expect(parseJsonBody('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    const bad = parseJsonBody('<html>');
    expect(bad.ok).toBe(false);
  });
});

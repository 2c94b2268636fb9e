import { describe, expect, it } from 'vitest';
import { basePathOf, joinPath, resolveUnderBase } from '../../src/shared/url-path.js';

describe('base paths', () => {
  it.each([
    ['https://api.example.com', ''],
    ['https://api.example.com/', ''],
    ['https://api.example.com/api/v2', '/api/v2'],
    ['https://api.example.com/api/v2/', '/api/v2'],
    ['http://127.0.0.1:8080/a', '/a'],
  ])('the base path of %s is "%s"', (url, expected) => {
    expect(basePathOf(url)).toBe(expected);
  });

  it.each([
    ['', '/generate', '/generate'],
    ['/api/v2', '/generate', '/api/v2/generate'],
    ['/api/v2/', '/generate', '/api/v2/generate'],
    ['/api/v2', '/v1/jobs/{{ id }}?wait=1', '/api/v2/v1/jobs/{{ id }}?wait=1'],
    ['/api/v2', '/', '/api/v2/'],
    ['/api/v2', '?q=1', '/api/v2?q=1'],
  ])('joins %s and %s as %s', (base, path, expected) => {
    expect(joinPath(base, path)).toBe(expected);
  });

  it.each([
    ['/oauth/token', 'https://h.example/api/v2', 'https://h.example/api/v2/oauth/token'],
    ['oauth/token', 'https://h.example/api/v2/', 'https://h.example/api/v2/oauth/token'],
    ['/oauth/token', 'https://h.example', 'https://h.example/oauth/token'],
    ['https://auth.example/token', 'https://h.example/api/v2', 'https://auth.example/token'],
    ['/oauth/token', 'https://u:p@h.example/api', 'https://u:p@h.example/api/oauth/token'],
  ])('resolves the token URL %s under %s as %s', (url, base, expected) => {
    expect(resolveUnderBase(url, base).href).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { parseShard, parseStartAt } from '../../src/cli/shard.js';

describe('--shard and --start-at', () => {
  it.each([
    ['0/1', 0, 1],
    ['3/4', 3, 4],
    [' 1/2 ', 1, 2],
  ])('reads %s', (text, index, count) => {
    expect(parseShard(text)).toEqual({ index, count });
  });

  it.each(['4/4', '1/0', '1', '-1/2', 'a/b', '1/2/3'])('refuses %s', (text) => {
    expect(() => parseShard(text)).toThrowError(/--shard/);
  });

  it('reads ISO dates and epoch milliseconds', () => {
    expect(parseStartAt('2026-11-27T10:00:00Z')).toBe(Date.UTC(2026, 10, 27, 10));
    expect(parseStartAt('1795600000000')).toBe(1_795_600_000_000);
    expect(() => parseStartAt('soon')).toThrowError(/--start-at/);
  });
});

import { describe, expect, it } from 'vitest';
import { feedersUsed, randomInt, renderTemplate, type TemplateContext } from '../../src/client/template.js';
import { createRandom } from '../../src/shared/random.js';

describe('body templates', () => {
  const rows = {
    prompts: [
      { prompt: 'hello', id: 7 },
      { prompt: 'bye', id: 8 },
    ],
  };
  const cursor = () => {
    const positions: Record<string, number> = {};
    return (feeder: string) => {
      const list = rows[feeder as keyof typeof rows];
      const index = positions[feeder] ?? 0;
      positions[feeder] = index + 1;
      return list[index % list.length];
    };
  };

  it('replaces a whole-string placeholder with the value itself, and fields of the same row per render', () => {
    const next = cursor();
    expect(renderTemplate({ row: '{{ prompts }}', text: 'say {{ prompts.prompt }} #{{prompts.id}}' }, next)).toEqual({
      row: { prompt: 'hello', id: 7 },
      text: 'say hello #7',
    });
    expect(renderTemplate({ text: '{{ prompts.prompt }}' }, next)).toEqual({ text: 'bye' });
  });

  it('leaves strings without placeholders and other types alone', () => {
    expect(renderTemplate({ n: 3, b: true, list: ['a', null] }, cursor())).toEqual({ n: 3, b: true, list: ['a', null] });
  });

  it('lists the feeders a template uses', () => {
    expect([...feedersUsed(['/x/{{ ids }}', { a: '{{ prompts.prompt }}', b: ['{{ ids }}'] }])]).toEqual(['ids', 'prompts']);
  });
});

describe('built-in template values', () => {
  const context = (over: Partial<TemplateContext> = {}): TemplateContext => ({
    vu: 3,
    iteration: 41,
    nowMs: () => 1_700_000_000_123,
    random: createRandom(7),
    uuid: (() => {
      let n = 0;
      return () => `uuid-${++n}`;
    })(),
    ...over,
  });
  const noRows = () => {
    throw new Error('no feeder expected');
  };

  it('gives numbers as numbers when a string is one placeholder, as text inside longer strings', () => {
    expect(
      renderTemplate(
        { vu: '{{ vu }}', i: '{{ iteration }}', at: '{{ now }}', label: 'vu {{ vu }} #{{ iteration }} at {{now}}' },
        noRows,
        context(),
      ),
    ).toEqual({
      vu: 3,
      i: 41,
      at: 1_700_000_000_123,
      label: 'vu 3 #41 at 1700000000123',
    });
  });

  it('draws one uuid per render (the same id in a header and the body), a new one for the next', () => {
    const ctx = context();
    const drawn = new Map<string, unknown>();
    expect(renderTemplate('{{ uuid }}', noRows, ctx, drawn)).toBe('uuid-1');
    expect(renderTemplate({ id: '{{ uuid }}', again: 'x-{{ uuid }}' }, noRows, ctx, drawn)).toEqual({ id: 'uuid-1', again: 'x-uuid-1' });
    expect(renderTemplate('{{ uuid }}', noRows, ctx)).toBe('uuid-2');
  });

  it('the default uuid is a version-4 UUID, distinct per render', () => {
    const a = renderTemplate('{{ uuid }}', noRows);
    const b = renderTemplate('{{ uuid }}', noRows);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });

  it('random(1, 6) gives integers from 1 to 6 inclusive, each about equally often, and replays from its seed', () => {
    const ctx = context({ random: createRandom(42) });
    const counts = new Map<unknown, number>();
    for (let i = 0; i < 6000; i++) {
      const value = renderTemplate('{{ random(1, 6) }}', noRows, ctx);
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    // 1000 expected per face; ±150 is more than 4 standard deviations (√(6000·1/6·5/6) ≈ 29).
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(150);
    const replay = (seed: number) =>
      Array.from({ length: 5 }, () => renderTemplate('{{ random(1, 100) }}', noRows, context({ random: createRandom(seed) })));
    expect(replay(9)).toEqual(replay(9));
  });

  it.each([
    [0, 0, 0],
    [0, 0.999999, 100],
    [0.5, 0.5, 50],
  ])('randomInt maps draws %f..%f onto the ends of [0, 100]', (low, high, expected) => {
    expect(randomInt(0, 100, () => (expected === 0 ? low : high))).toBe(expected);
  });

  it('each random(a, b) in one string draws anew', () => {
    let n = 0;
    const draws = [0.1, 0.9];
    expect(renderTemplate('{{ random(0, 9) }}{{ random(0, 9) }}', noRows, context({ random: () => draws[n++]! }))).toBe('19');
  });
});

import { describe, expect, it } from 'vitest';
import { feedersUsed, renderTemplate } from '../../src/client/template.js';

describe('body templates', () => {
  const rows = { prompts: [{ prompt: 'hello', id: 7 }, { prompt: 'bye', id: 8 }] };
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

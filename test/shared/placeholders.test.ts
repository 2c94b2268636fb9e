import { describe, expect, it } from 'vitest';
import { feedersUsed, templateProblems } from '../../src/shared/placeholders.js';

const known = new Set(['prompts', 'ids']);

describe('template names checked when the scenario is loaded', () => {
  it.each([
    ['{{ prompts }}'],
    ['{{ prompts.text.first }}'],
    ['/items/{{ ids.id }}?at={{ now }}'],
    ['{{ uuid }}'],
    ['{{vu}}-{{ iteration }}'],
    ['{{ random(1, 100) }}'],
    ['{{ random(-5,5) }}'],
    ['{{ random(7, 7) }}'],
    ['no template at all { not } {{'],
  ])('%s renders', (template) => {
    expect(templateProblems(template, known)).toEqual([]);
  });

  it.each([
    ['{{ prompt }}', 'unknown template name "prompt": not a data feeder (ids, prompts) nor a built-in (uuid, vu, iteration, now, random)'],
    [
      '{{ submit.id }}',
      'unknown template name "submit": not a data feeder (ids, prompts) nor a built-in (uuid, vu, iteration, now, random)',
    ],
    ['{{ random }}', '{{ random }} needs its range: {{ random(1, 100) }}'],
    ['{{ random(100, 1) }}', '{{ random(100, 1) }}: the range starts above its end'],
    ['{{ random(1.5, 2) }}', '{{ random(1.5, 2) }} is not a template: write {{ name }}, {{ name.field }} or {{ random(1, 100) }}'],
    ['{{ uuid(1, 2) }}', '{{ uuid(1, 2) }}: only random takes arguments'],
    ['{{ uuid.hex }}', '{{ uuid.hex }}: {{ uuid }} has no fields'],
    ['{{ ids id }}', '{{ ids id }} is not a template: write {{ name }}, {{ name.field }} or {{ random(1, 100) }}'],
    ['{{}}', '{{}} is not a template: write {{ name }}, {{ name.field }} or {{ random(1, 100) }}'],
  ])('%s is refused: %s', (template, message) => {
    expect(templateProblems(template, known)).toEqual([{ path: [], message }]);
  });

  it('says where in a structured template each problem is', () => {
    expect(templateProblems({ a: ['ok', '{{ nope }}'], b: { c: '{{ ids }} {{ x }}' } }, known).map((p) => p.path)).toEqual([
      ['a', 1],
      ['b', 'c'],
    ]);
  });

  it('takes the known names from the caller (captured values join feeders later)', () => {
    expect(templateProblems('/v1/jobs/{{ jobId }}', new Set(['jobId']))).toEqual([]);
    expect(templateProblems('/v1/jobs/{{ jobId }}', new Set())[0]!.message).toContain('data defines none');
  });

  it('lists the feeders a template uses, built-ins left out', () => {
    expect([...feedersUsed(['/x/{{ ids }}', { a: '{{ prompts.prompt }}', b: ['{{ ids }}', '{{ uuid }}', '{{ random(1, 2) }}'] }])]).toEqual(
      ['ids', 'prompts'],
    );
  });
});

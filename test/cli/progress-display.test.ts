import { describe, expect, it } from 'vitest';
import { progressDisplay } from '../../src/cli/progress-display.js';
import { fakeIo } from '../helpers/fake-io.js';

describe('run progress display', () => {
  it('writes one plain line per interval when not on a terminal (CI logs), and nothing else', () => {
    const fake = fakeIo('/');
    const display = progressDisplay(fake.io, 10_000);
    display.interval(1000, '[   1s] first');
    display.interval(2000, '[   2s] second');
    display.stop();
    expect(fake.stderr()).toBe('[   1s] first\n[   2s] second\n');
  });

  it('draws a bar with percentage, ETA and the latest line on an interactive terminal, ending on its own line', () => {
    const fake = fakeIo('/');
    const display = progressDisplay({ ...fake.io, interactive: true, columns: 120 }, 10_000);
    display.interval(1000, '[   1s] first');
    display.interval(5000, '[   5s] fifth');
    display.stop();
    const out = fake.stderr();
    expect(out).toContain('50% | ETA');
    expect(out).toContain('[   5s] fifth');
    expect(out).toContain('\x1b[1G'); // redrawn in place: back to column 1
    expect(out.endsWith('\n')).toBe(true);
  });
});

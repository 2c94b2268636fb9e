import { describe, expect, it } from 'vitest';
import { junitXml } from '../../src/report/junit/xml.js';

describe('junitXml', () => {
  it('counts tests and failures per suite and overall, with times in seconds', () => {
    const xml = junitXml([
      {
        name: 'thresholds',
        tests: [
          { name: 'p99 < 800ms', classname: 'tailscope.thresholds', timeMs: 1500 },
          { name: 'error_rate < 1%', classname: 'tailscope.thresholds', failure: { message: 'observed 2.00%', detail: 'limit 1%' } },
        ],
      },
    ]);
    expect(xml).toContain('<testsuites name="tailscope" tests="2" failures="1" errors="0" time="1.500">');
    expect(xml).toContain('<testsuite name="thresholds" tests="2" failures="1" errors="0" skipped="0" time="1.500">');
    expect(xml).toContain('<testcase name="p99 &lt; 800ms" classname="tailscope.thresholds" time="1.500"/>');
    expect(xml).toContain('<failure message="observed 2.00%" type="failure">limit 1%</failure>');
  });

  it('escapes markup, quotes and newlines in attributes and replaces characters XML cannot hold', () => {
    const xml = junitXml([
      {
        name: 'a"b',
        tests: [
          {
            name: "x<y>&'z'",
            classname: 'c',
            failure: { message: 'line1\nline2\u0001', detail: 'body \u0000 </failure> \uD800 ok \uD83D\uDE00' },
          },
        ],
      },
    ]);
    expect(xml).toContain('<testsuite name="a&quot;b"');
    expect(xml).toContain('name="x&lt;y&gt;&amp;&apos;z&apos;"');
    expect(xml).toContain('message="line1&#10;line2\uFFFD"');
    expect(xml).toContain('>body \uFFFD &lt;/failure&gt; \uFFFD ok \uD83D\uDE00</failure>');
    // No raw control character survives anywhere in the document.
    // eslint-disable-next-line no-control-regex -- the test looks for the control characters junit.ts must remove
    expect(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(xml)).toBe(false);
  });

  it('renders an empty list of suites as a valid empty document', () => {
    expect(junitXml([])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tailscope" tests="0" failures="0" errors="0" time="0.000">\n</testsuites>\n',
    );
  });
});

/**
 * JUnit XML, the format CI systems (GitHub Actions reporters, GitLab, Jenkins) read to show pass/fail per check.
 * Written by hand: the format is a few elements, and the libraries for it are heavy.
 */

export interface JunitFailure {
  /** One line: shown by most CI UIs as the failure title. */
  message: string;
  /** Free text: the body of the failure element. */
  detail: string;
}

export interface JunitTest {
  name: string;
  classname: string;
  timeMs?: number;
  failure?: JunitFailure;
}

export interface JunitSuite {
  name: string;
  tests: JunitTest[];
}

/**
 * Characters XML 1.0 cannot carry at all, even as references: C0 controls other than tab/LF/CR, lone surrogates,
 * U+FFFE/U+FFFF. They are replaced by U+FFFD so a hostile or binary response body cannot make the file unreadable.
 */
const INVALID_XML_CHARS =
  // eslint-disable-next-line no-control-regex -- matching control characters is this pattern's whole job
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function xmlText(value: string): string {
  return value.replace(INVALID_XML_CHARS, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values also escape quotes, and tab/LF/CR as references, which attribute normalisation would turn into spaces. */
function xmlAttr(value: string): string {
  return xmlText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** JUnit time attributes are seconds. */
function seconds(timeMs: number | undefined): string {
  return ((timeMs ?? 0) / 1000).toFixed(3);
}

function testcase(test: JunitTest): string {
  const open = `    <testcase name="${xmlAttr(test.name)}" classname="${xmlAttr(test.classname)}" time="${seconds(test.timeMs)}"`;
  if (!test.failure) return `${open}/>`;
  return [
    `${open}>`,
    `      <failure message="${xmlAttr(test.failure.message)}" type="failure">${xmlText(test.failure.detail)}</failure>`,
    '    </testcase>',
  ].join('\n');
}

function suiteTimeMs(suite: JunitSuite): number {
  return suite.tests.reduce((sum, t) => sum + (t.timeMs ?? 0), 0);
}

/** Renders suites of test cases as one JUnit XML document (UTF-8). */
export function junitXml(suites: JunitSuite[]): string {
  const tests = suites.reduce((n, s) => n + s.tests.length, 0);
  const failures = suites.reduce((n, s) => n + s.tests.filter((t) => t.failure).length, 0);
  const totalMs = suites.reduce((n, s) => n + suiteTimeMs(s), 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tailscope" tests="${tests}" failures="${failures}" errors="0" time="${seconds(totalMs)}">`,
  ];
  for (const suite of suites) {
    const suiteFailures = suite.tests.filter((t) => t.failure).length;
    lines.push(
      `  <testsuite name="${xmlAttr(suite.name)}" tests="${suite.tests.length}" failures="${suiteFailures}" errors="0" skipped="0" time="${seconds(suiteTimeMs(suite))}">`,
    );
    for (const test of suite.tests) lines.push(testcase(test));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { fakeIo } from '../helpers/fake-io.js';

const CORPUS = resolve(import.meta.dirname, '../fixtures/bad-scenarios');

/**
 * Each file of the corpus is refused before any load starts: exit 2, one line per problem as
 * file:line:col: field: reason, nothing written. Every row was a run that went ahead (or hung) before.
 */
const corpus: [file: string, message: RegExp][] = [
  ['interval-zero.yaml', /interval-zero\.yaml:8:\d+: interval: the interval is at least 10 ms, got 0 ms/],
  ['interval-5ms.yaml', /interval-5ms\.yaml:8:\d+: interval: the interval is at least 10 ms, got 5 ms/],
  [
    'concurrency-huge.yaml',
    /concurrency-huge\.yaml:10:\d+: load\.closed\[0\]\.concurrency: 10000000 users is more than 2 workers hold: at most 10000 \(5000 per worker\)/,
  ],
  ['ramp-huge.yaml', /ramp-huge\.yaml:11:\d+: load\.closed\[1\]\.to: 1000000 users is more than 2 workers hold/],
  [
    'rate-huge.yaml',
    /rate-huge\.yaml:10:\d+: load\.open\[0\]\.rate: 1000000000000 requests\/s is more than 2 workers send: at most 40000\/s \(20000\/s per worker\)/,
  ],
  ['steps-rate-huge.yaml', /steps-rate-huge\.yaml:11:\d+: load\.open\[1\]\.steps\[1\]: 100000 requests\/s is more than 2 workers send/],
  ['header-crlf.yaml', /header-crlf\.yaml:8:\d+: requests\[0\]\.headers\.X-Trace: a header value may not contain CR/],
  ['header-nul.yaml', /header-nul\.yaml:8:\d+: requests\[0\]\.headers\.X-Trace: a header value may not contain .*NUL/],
  ['header-name-space.yaml', /header-name-space\.yaml:8:\d+: requests\[0\]\.headers\.X Trace: "X Trace" is not a header name/],
  ['path-space.yaml', /path-space\.yaml:7:\d+: requests\[0\]\.path: a path may not contain spaces/],
  ['path-crlf.yaml', /path-crlf\.yaml:7:\d+: requests\[0\]\.path: a path may not contain .*CR/],
  ['auth-header-lf.yaml', /auth-header-lf\.yaml:5:\d+: auth\.header\.value: a header value may not contain .*LF/],
  ['duplicate-names.yaml', /duplicate-names\.yaml:8:\d+: requests\[1\]\.name: "generate" is already the name of requests\[0\]/],
  [
    'threshold-unknown-request.yaml',
    /threshold-unknown-request\.yaml:8:\d+: thresholds\[0\]: no request is named "genrate" \(requests: generate\)/,
  ],
  ['json-and-body.yaml', /json-and-body\.yaml:9:\d+: requests\[0\]\.body: give json or body, not both/],
  ['retries-huge.yaml', /retries-huge\.yaml:9:\d+: client\.retries\.max: at most 20 retries/],
  ['missing-data-file.yaml', /missing-data-file\.yaml:10:\d+: data\.prompts\.file: cannot read .*no-such-prompts\.jsonl \(ENOENT\)/],
  [
    'unknown-feeder.yaml',
    /unknown-feeder\.yaml:8:13: requests\[0\]\.json\.prompt: unknown template name "promts": not a data feeder \(data defines none\) nor a built-in/,
  ],
  [
    'unknown-template-header.yaml',
    /unknown-template-header\.yaml:8:\d+: requests\[0\]\.headers\.X-Request-Id: unknown template name "ids": not a data feeder \(data defines none\)/,
  ],
  ['unknown-profile.yaml', /unknown-profile\.yaml:3:\d+: target\.mock\.profile: .*cannot read profile \(ENOENT\); builtin profiles are: /],
  ['missing-profile-file.yaml', /missing-profile-file\.yaml:3:\d+: target\.mock\.profile: .*missing-profile\.yaml: cannot read profile/],
  [
    'check-bad-json-path.yaml',
    /check-bad-json-path\.yaml:9:\d+: requests\[0\]\.checks\[0\]\.json: bad JSON path "\$\.usage\[" at column 8: an unclosed "\["/,
  ],
  [
    'check-bad-regex.yaml',
    /check-bad-regex\.yaml:9:\d+: requests\[0\]\.checks\[0\]\.matches: bad regular expression: .*Unterminated group/,
  ],
  [
    'check-unknown-operator.yaml',
    /check-unknown-operator\.yaml:9:\d+: requests\[0\]\.checks\[0\]\.is: unknown json check operator "is"; one of equals, notEquals, gt, gte, lt, lte, in, contains, notContains, matches, exists/,
  ],
  [
    'check-autocannon.yaml',
    /check-autocannon\.yaml:8:\d+: requests\[0\]\.checks: the autocannon engine does not see response bodies or headers/,
  ],
  [
    'threshold-checks-without-checks.yaml',
    /threshold-checks-without-checks\.yaml:11:\d+: thresholds\[0\]: request "other" has no checks to count/,
  ],
  [
    'flow-unknown-capture.yaml',
    /flow-unknown-capture\.yaml:12:\d+: flows\[0\]\.steps\[1\]\.path: unknown template name "jobid": not a value captured by an earlier step \(jobId\)/,
  ],
  [
    'flow-capture-later.yaml',
    /flow-capture-later\.yaml:8:\d+: flows\[0\]\.steps\[0\]\.path: "jobId" is captured by step "submit", which runs later/,
  ],
  [
    'flow-bad-json-path.yaml',
    /flow-bad-json-path\.yaml:10:\d+: flows\[0\]\.steps\[0\]\.capture\.jobId: bad JSON path "\$\.items\[first\]" at column 9/,
  ],
  [
    'flow-poll-without-until.yaml',
    /flow-poll-without-until\.yaml:13:\d+: flows\[0\]\.steps\[0\]\.poll\.until: a poll needs until: \{ json: "\$\.status", in: \[done, failed\] \}/,
  ],
  ['flow-threshold-unknown.yaml', /flow-threshold-unknown\.yaml:13:\d+: thresholds\[0\]: no flow is named "jobs" \(flows: job\)/],
  ['duplicate-key.yaml', /duplicate-key\.yaml:8:1: name: duplicate key "name" \(first at line 1\)/],
  ['trailing-comma.json', /trailing-comma\.json:4:\d+: invalid JSON: /],
  ['missing-comma.json', /missing-comma\.json:5:\d+: invalid JSON: /],
];

describe('the bad-scenario corpus', () => {
  it('has a row for every file', async () => {
    expect((await readdir(CORPUS)).sort()).toEqual(corpus.map(([file]) => file).sort());
  });

  it.each(corpus)('refuses %s at load time, exit 2, naming line and field, writing nothing', async (file, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'tailscope-corpus-'));
    const { io, stderr, stdout } = fakeIo(dir);
    const out = join(dir, 'out');

    const code = await runCli(['run', join(CORPUS, file), '--out', out, '--quiet'], io);

    expect(stderr()).toMatch(message);
    expect(code).toBe(EXIT.badInput);
    expect(stderr()).not.toMatch(/invalid YAML/.test(message.source) ? /^$/ : /\n\s+at /);
    expect(stderr()).not.toMatch(/^target /m);
    expect(stdout()).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('never calls a JSON scenario YAML', async () => {
    const { io, stderr } = fakeIo(tmpdir());
    await runCli(['run', join(CORPUS, 'missing-comma.json')], io);
    expect(stderr()).not.toMatch(/YAML/);
  });
});

import { stringify } from 'yaml';

/**
 * A scenario as `tailscope init` writes it: plain values plus the comments that tell a reader where each came
 * from and what to check. Rendered to YAML by renderDraft; the result is checked by the scenario reader before
 * it is written, like any hand-written scenario.
 */

export interface DraftRequest {
  name: string;
  method: string;
  path: string;
  query?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  /** comment lines above the request */
  comment: string[];
  /** why the request is written commented out (it cannot be sent as it stands) */
  disabled?: string;
  /** as a flow step: the pause after it, before the next step (ms) */
  thinkMs?: number;
}

export interface ScenarioDraft {
  /** comment lines at the top of the file */
  header: string[];
  name: string;
  target: { url: string; comment?: string };
  auth?: { value: Record<string, unknown>; comment: string[] };
  /** comment lines above `requests:` (or `flows:`) */
  requestsComment: string[];
  requests: DraftRequest[];
  /** the requests as the steps of one flow, run in order (a recording), rather than drawn by weight */
  asFlow?: { name: string };
  /** ${NAME}s the scenario needs from the environment, with what each stands for */
  variables: { name: string; meaning: string }[];
}

/** A first load to try: short, small, closed. Raised by hand once the scenario runs clean. */
const STARTER_LOAD = `load:
  # Closed model: each virtual user sends its next request when the previous one ends. Start small; raise it
  # once a run is clean. For an arrival rate instead: open: [{ hold: 30s, rate: 20 }]
  closed:
    - { hold: 10s, concurrency: 2 }
    - { ramp: 20s, to: 8 }
    - { hold: 20s, concurrency: 8 }
# What "good" means for this API: the verdict and exit code follow from it. Placeholders: set your own.
slo: { p99: 1s, errorRate: 1% }
`;

export function renderDraft(draft: ScenarioDraft): string {
  const lines: string[] = [];
  for (const line of draft.header) lines.push(comment(line));
  if (draft.variables.length > 0) {
    lines.push('# Set before running (or pass -e NAME=value):');
    for (const v of draft.variables) lines.push(comment(`  ${v.name}: ${v.meaning}`));
  }
  lines.push(`name: ${scalar(draft.name)}`);
  lines.push('target:');
  if (draft.target.comment) lines.push(`  ${comment(draft.target.comment)}`);
  lines.push(`  url: ${scalar(draft.target.url)}`);
  if (draft.auth) {
    for (const line of draft.auth.comment) lines.push(comment(line));
    lines.push(stringify({ auth: draft.auth.value }).trimEnd());
  }
  for (const line of draft.requestsComment) lines.push(comment(line));
  // A flow's steps sit two levels deeper: flows: → - name/steps: → - step.
  const itemIndent = draft.asFlow ? '      ' : '  ';
  if (draft.asFlow) lines.push('flows:', `  - name: ${scalar(draft.asFlow.name)}`, '    steps:');
  else lines.push('requests:');
  for (const request of draft.requests) {
    for (const line of request.comment) lines.push(`${itemIndent}${comment(line)}`);
    const { name, method, path, query, headers, json, body, thinkMs } = request;
    const value = {
      name,
      method,
      path,
      ...(query && Object.keys(query).length > 0 ? { query } : {}),
      ...(headers && Object.keys(headers).length > 0 ? { headers } : {}),
      ...(json !== undefined ? { json } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(draft.asFlow && thinkMs !== undefined && thinkMs > 0 ? { think: `${Math.round(thinkMs)}ms` } : {}),
    };
    const text = indent(stringify([value]).trimEnd(), itemIndent);
    if (request.disabled) {
      lines.push(`${itemIndent}${comment(`not sent: ${request.disabled}`)}`);
      lines.push(...text.split('\n').map((line) => `${itemIndent}# ${line.slice(itemIndent.length)}`));
    } else lines.push(text);
  }
  if (!draft.requests.some((r) => !r.disabled)) lines.push(`${itemIndent}[]`);
  return `${lines.join('\n')}\n${STARTER_LOAD}`;
}

function comment(text: string): string {
  // One comment line per line of text: a line feed in a description must not end the comment.
  return text
    .split(/\r?\n/)
    .map((line) => `# ${line}`.trimEnd())
    .join('\n');
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : by + line))
    .join('\n');
}

function scalar(value: string): string {
  return stringify(value).trimEnd();
}

/** Request names unique within a scenario: a repeat gets -2, -3, … */
export function uniqueNames<T extends { name: string }>(requests: T[]): T[] {
  const seen = new Map<string, number>();
  return requests.map((request) => {
    const count = (seen.get(request.name) ?? 0) + 1;
    seen.set(request.name, count);
    return count === 1 ? request : { ...request, name: `${request.name}-${count}` };
  });
}

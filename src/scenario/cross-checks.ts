import { LIMITS } from './defaults.js';
import type { ScenarioParsed } from './schema.js';
import type { ClosedStageInput, OpenStageInput } from './schema.js';
import { BUILTIN_NAMES, isBuiltin, templateProblems } from '../shared/placeholders.js';
import { parseThreshold } from '../metrics/grammar/threshold.js';

type Path = (string | number)[];
export interface Problem {
  path: Path;
  message: string;
}

/**
 * Checks that span fields, made once the scenario has its shape: names that must be unique or must exist,
 * and load within what the workers can hold. Each problem points at the field to change.
 */
export function crossFieldProblems(scenario: ScenarioParsed): Problem[] {
  if (scenario.requests === undefined && scenario.flows === undefined)
    return [{ path: ['requests'], message: 'give requests (sent one at a time) or flows (steps in order), or both' }];
  return [
    ...requestNameProblems(scenario),
    ...flowNameProblems(scenario),
    ...thresholdScopeProblems(scenario),
    ...templateNameProblems(scenario),
    ...alertRouteProblems(scenario),
  ];
}

/** An alert route for a request nobody sends would alert on a timeout nobody recommended: a typo, caught now. */
function alertRouteProblems(scenario: ScenarioParsed): Problem[] {
  const names = new Set(namedRequests(scenario).map((r) => r.name));
  return Object.keys(scenario.alerts?.routes ?? {})
    .filter((name) => !names.has(name))
    .map((name) => ({
      path: ['alerts', 'routes', name],
      message: `no request is named "${name}" (requests: ${[...names].join(', ')})`,
    }));
}

type Step = NonNullable<ScenarioParsed['requests']>[number] | NonNullable<ScenarioParsed['flows']>[number]['steps'][number];

/** Every request the scenario sends, with where it is written: requests, flow steps and their polls. */
function namedRequests(scenario: ScenarioParsed): { name: string; path: Path; label: string }[] {
  const named: { name: string; path: Path; label: string }[] = [];
  const add = (step: Step, at: Path) => {
    named.push({ name: step.name, path: [...at, 'name'], label: formatAt(at) });
    if (step.poll)
      named.push({ name: step.poll.name ?? `${step.name}.poll`, path: [...at, 'poll', 'name'], label: `${formatAt(at)}.poll` });
  };
  scenario.requests?.forEach((request, index) => add(request, ['requests', index]));
  scenario.flows?.forEach((flow, f) => flow.steps.forEach((step, s) => add(step, ['flows', f, 'steps', s])));
  return named;
}

function formatAt(path: Path): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}

function requestNameProblems(scenario: ScenarioParsed): Problem[] {
  const first = new Map<string, string>();
  const problems: Problem[] = [];
  for (const { name, path, label } of namedRequests(scenario)) {
    const earlier = first.get(name);
    // Results, thresholds and reports key by name: two requests of one name would be counted as one.
    if (earlier !== undefined) problems.push({ path, message: `"${name}" is already the name of ${earlier}` });
    else first.set(name, label);
  }
  return problems;
}

function flowNameProblems(scenario: ScenarioParsed): Problem[] {
  const first = new Map<string, number>();
  const problems: Problem[] = [];
  scenario.flows?.forEach((flow, index) => {
    const earlier = first.get(flow.name);
    if (earlier !== undefined)
      problems.push({ path: ['flows', index, 'name'], message: `"${flow.name}" is already the name of flows[${earlier}]` });
    else first.set(flow.name, index);
  });
  return problems;
}

/** Steps that submit async jobs (their `completion` is recorded under the step's name). */
function asyncStepNames(scenario: ScenarioParsed): string[] {
  const steps: Step[] = [...(scenario.requests ?? []), ...(scenario.flows ?? []).flatMap((flow) => flow.steps)];
  return steps.filter((step) => step.poll !== undefined || step.callback !== undefined).map((step) => step.name);
}

/** A threshold on a request (flow, async step) nobody sends has no samples and would fail every run: a typo, caught now. */
function thresholdScopeProblems(scenario: ScenarioParsed): Problem[] {
  const requests = namedRequests(scenario).map((r) => r.name);
  const flows = (scenario.flows ?? []).map((f) => f.name);
  const jobs = asyncStepNames(scenario);
  const problems: Problem[] = [];
  // Requests and flow steps that carry checks: a checks threshold needs one to count.
  const checked = new Set(
    [...(scenario.requests ?? []), ...(scenario.flows ?? []).flatMap((f) => f.steps)].filter((r) => r.checks?.length).map((r) => r.name),
  );
  scenario.thresholds.forEach((spec, index) => {
    const threshold = parseThreshold(spec.threshold);
    const metric = 'metric' in threshold.stat ? threshold.stat.metric : undefined;
    const scope = threshold.scope;
    const path: Path = ['thresholds', index];
    // A checks threshold with no check to count would fail every run for want of samples.
    if (
      threshold.stat.kind === 'checks' &&
      (scope && 'request' in scope ? requests.includes(scope.request) && !checked.has(scope.request) : checked.size === 0)
    ) {
      problems.push({
        path,
        message: scope && 'request' in scope ? `request "${scope.request}" has no checks to count` : 'no request has checks to count',
      });
    }
    if (metric === 'flow') {
      if (flows.length === 0) problems.push({ path, message: 'the flow metric needs flows: this scenario has none' });
      else if (scope && 'request' in scope && !flows.includes(scope.request))
        problems.push({ path, message: `no flow is named "${scope.request}" (flows: ${flows.join(', ')})` });
    } else if (metric === 'completion') {
      if (jobs.length === 0)
        problems.push({ path, message: 'the completion metric needs a step with poll or callback: this scenario has none' });
      else if (scope && 'request' in scope && !jobs.includes(scope.request))
        problems.push({
          path,
          message: `no step that polls or is called back is named "${scope.request}" (async steps: ${jobs.join(', ')})`,
        });
    } else if (scope && 'request' in scope && !requests.includes(scope.request)) {
      problems.push({ path, message: `no request is named "${scope.request}" (requests: ${requests.join(', ')})` });
    }
  });
  return problems;
}

/**
 * Every template name must be known when the scenario is loaded: a typo would otherwise go out literally on
 * every request (`{{ ids.id }}` in a header), and the target would never say so.
 */
function templateNameProblems(scenario: ScenarioParsed, known: ReadonlySet<string> = new Set(Object.keys(scenario.data))): Problem[] {
  const problems: Problem[] = [];
  for (const name of Object.keys(scenario.data)) {
    if (isBuiltin(name))
      problems.push({
        path: ['data', name],
        message: `"${name}" is a built-in template value (${BUILTIN_NAMES.join(', ')}): name the feeder otherwise`,
      });
  }
  const check = (step: Step, at: Path, names: ReadonlySet<string>, later: ReadonlyMap<string, string>) => {
    const templated: [Path, unknown][] = (['path', 'query', 'headers', 'json', 'body'] as const).map((field) => [[field], step[field]]);
    // A poll renders after its own step's response, so it may use what that step captures.
    const pollNames = new Set([...names, ...Object.keys(step.capture ?? {})]);
    for (const [path, template] of templated)
      problems.push(...placeholderProblems(template ?? null, [...at, ...path], names, later, known));
    if (step.poll) {
      for (const field of ['path', 'query', 'headers'] as const)
        problems.push(...placeholderProblems(step.poll[field] ?? null, [...at, 'poll', field], pollNames, later, known));
    }
    for (const name of Object.keys(step.capture ?? {})) {
      if (isBuiltin(name) || known.has(name))
        problems.push({
          path: [...at, 'capture', name],
          message: `"${name}" is already ${isBuiltin(name) ? 'a built-in template value' : 'a data feeder'}: capture it under another name`,
        });
    }
  };
  scenario.requests?.forEach((request, index) => check(request, ['requests', index], known, new Map()));
  scenario.flows?.forEach((flow, f) => {
    // Values a step may use: the feeders, and what the steps before it capture; a later step's capture is named.
    const captured = new Set(known);
    const capturedLater = new Map<string, string>();
    flow.steps.forEach((step) => Object.keys(step.capture ?? {}).forEach((name) => capturedLater.set(name, step.name)));
    flow.steps.forEach((step, s) => {
      for (const name of Object.keys(step.capture ?? {})) if (capturedLater.get(name) === step.name) capturedLater.delete(name);
      check(step, ['flows', f, 'steps', s], captured, capturedLater);
      for (const name of Object.keys(step.capture ?? {})) captured.add(name);
    });
  });
  return problems;
}

/** templateProblems at a path, saying so when an unknown name is one a later step captures. */
function placeholderProblems(
  template: unknown,
  at: Path,
  known: ReadonlySet<string>,
  later: ReadonlyMap<string, string>,
  feeders: ReadonlySet<string>,
): Problem[] {
  return templateProblems(template, known).map((problem) => {
    const name = /^unknown template name "([^"]+)"/.exec(problem.message)?.[1];
    const step = name === undefined ? undefined : later.get(name);
    const captured = [...known].filter((k) => !feeders.has(k)).sort();
    let message = problem.message;
    if (step !== undefined)
      message = `"${name}" is captured by step "${step}", which runs later: a step uses only values captured before it`;
    else if (name !== undefined && captured.length > 0) {
      const data = [...feeders].sort();
      message = `unknown template name "${name}": not a value captured by an earlier step (${captured.join(', ')}), a data feeder (${data.join(', ') || 'data defines none'}) nor a built-in (${BUILTIN_NAMES.join(', ')})`;
    }
    return { path: [...at, ...problem.path], message };
  });
}

/** The most users (closed) or arrivals per second (open) `workers` worker threads are allowed to drive. */
export function loadCap(model: 'open' | 'closed', workers: number): { max: number; perWorker: number } {
  const perWorker = model === 'open' ? LIMITS.arrivalsPerSecPerWorker : LIMITS.usersPerWorker;
  return { max: perWorker * workers, perWorker };
}

/**
 * Every target level of the load curve against the cap for this many workers: a concurrency of ten million
 * or a rate of 1e12/s would only exhaust the generator, so it is refused with the cap and how it was computed.
 */
export function loadCapProblems(
  model: 'open' | 'closed',
  stages: readonly (ClosedStageInput | OpenStageInput | undefined)[],
  workers: number,
  extra: { maxInFlight?: number; poolSize?: number } = {},
): Problem[] {
  const { max, perWorker } = loadCap(model, workers);
  const problems: Problem[] = [];
  const what =
    model === 'open'
      ? (value: number) =>
          `${value} requests/s is more than ${workers} worker${workers === 1 ? '' : 's'} send: at most ${max}/s (${perWorker}/s per worker); add workers (up to 64) or shard the run`
      : (value: number) =>
          `${value} users is more than ${workers} worker${workers === 1 ? '' : 's'} hold: at most ${max} (${perWorker} per worker); add workers (up to 64) or shard the run`;
  const check = (value: number | undefined, path: Path) => {
    if (value !== undefined && value > max) problems.push({ path, message: what(value) });
  };
  stages.forEach((stage, index) => {
    if (!stage) return;
    const at: Path = ['load', model, index];
    if ('hold' in stage)
      check('rate' in stage ? stage.rate : 'concurrency' in stage ? stage.concurrency : undefined, [
        ...at,
        'rate' in stage ? 'rate' : 'concurrency',
      ]);
    if ('ramp' in stage) {
      check(stage.to, [...at, 'to']);
      check(stage.from, [...at, 'from']);
    }
    if ('steps' in stage) stage.steps.forEach((level, i) => check(level, [...at, 'steps', i]));
    if ('spike' in stage) check(stage.spike, [...at, 'spike']);
  });
  const users = loadCap('closed', workers);
  if (extra.maxInFlight !== undefined && extra.maxInFlight > users.max) {
    problems.push({
      path: ['load', 'maxInFlight'],
      message: `${extra.maxInFlight} in flight is more than ${workers} workers hold: at most ${users.max} (${users.perWorker} per worker)`,
    });
  }
  if (extra.poolSize !== undefined && extra.poolSize > users.perWorker) {
    problems.push({
      path: ['client', 'poolSize'],
      message: `a pool of ${extra.poolSize} sockets is more than one worker holds: at most ${users.perWorker}`,
    });
  }
  return problems;
}

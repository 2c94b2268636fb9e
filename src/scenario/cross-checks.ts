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
  return [
    ...requestNameProblems(scenario),
    ...thresholdScopeProblems(scenario),
    ...templateNameProblems(scenario),
    ...alertRouteProblems(scenario),
  ];
}

/** An alert route for a request nobody sends would alert on a timeout nobody recommended: a typo, caught now. */
function alertRouteProblems(scenario: ScenarioParsed): Problem[] {
  const names = new Set(scenario.requests.map((r) => r.name));
  return Object.keys(scenario.alerts?.routes ?? {})
    .filter((name) => !names.has(name))
    .map((name) => ({
      path: ['alerts', 'routes', name],
      message: `no request is named "${name}" (requests: ${[...names].join(', ')})`,
    }));
}

function requestNameProblems(scenario: ScenarioParsed): Problem[] {
  const first = new Map<string, number>();
  const problems: Problem[] = [];
  scenario.requests.forEach((request, index) => {
    const earlier = first.get(request.name);
    // Results, thresholds and reports key by name: two requests of one name would be counted as one.
    if (earlier !== undefined)
      problems.push({ path: ['requests', index, 'name'], message: `"${request.name}" is already the name of requests[${earlier}]` });
    else first.set(request.name, index);
  });
  return problems;
}

/** A threshold on a request nobody sends has no samples and would fail every run: a typo, caught now. */
function thresholdScopeProblems(scenario: ScenarioParsed): Problem[] {
  const names = new Set(scenario.requests.map((r) => r.name));
  const problems: Problem[] = [];
  const checked = new Set(scenario.requests.filter((r) => r.checks?.length).map((r) => r.name));
  scenario.thresholds.forEach((spec, index) => {
    const { scope, stat } = parseThreshold(spec.threshold);
    // A checks threshold with no check to count would fail every run for want of samples.
    if (
      stat.kind === 'checks' &&
      (scope && 'request' in scope ? names.has(scope.request) && !checked.has(scope.request) : checked.size === 0)
    ) {
      problems.push({
        path: ['thresholds', index],
        message: scope && 'request' in scope ? `request "${scope.request}" has no checks to count` : 'no request has checks to count',
      });
    }
    if (scope && 'request' in scope && !names.has(scope.request)) {
      problems.push({
        path: ['thresholds', index],
        message: `no request is named "${scope.request}" (requests: ${[...names].join(', ')})`,
      });
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
  scenario.requests.forEach((request, index) => {
    for (const field of ['path', 'query', 'headers', 'json', 'body'] as const) {
      for (const problem of templateProblems(request[field] ?? null, known)) {
        problems.push({ path: ['requests', index, field, ...problem.path], message: problem.message });
      }
    }
  });
  return problems;
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

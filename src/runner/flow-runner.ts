import { performance } from 'node:perf_hooks';
import type { Executed, ResponseJudge } from '../client/requester.js';
import type { RequestPreparer, Sender } from '../client/prepare.js';
import { Captures, readBodyPath } from '../client/captures.js';
import { jobStateOf, nextPollAtMs, sampleThinkMs, type FlowPlan, type JobState, type StepPlan } from '../client/flow-plan.js';
import type { CallbackReceiver } from '../client/callback-receiver.js';
import type { PreparedRequest } from '../engines/types.js';
import type { FlowSet, IterationOutcome } from '../metrics/flow-set.js';
import { compileJsonPath, readJsonPath, parseJsonBody, type JsonPath } from '../shared/json-path.js';

/** What running a flow needs from its worker: one way to send (in-flight counted), a stop-aware sleep, its PRNG. */
export interface FlowContext {
  /** sends one request through the client (auth, retries), counting it in flight */
  execute(request: PreparedRequest, intendedAtMs: number | undefined, judge?: ResponseJudge): Promise<Executed>;
  /** resolves true after ms, or early (true) when `wakeOn` settles; false when the run stops */
  sleep(ms: number, wakeOn?: Promise<unknown>): Promise<boolean>;
  readonly stopping: boolean;
  random(): number;
  /** the worker's callback receiver, started on first use */
  receiver(): Promise<CallbackReceiver>;
  readonly flows: FlowSet;
}

/** A step's outcome as its flow sees it. */
type StepEnd = 'ok' | 'failed' | 'interrupted';

/** The parts of a step compiled once per worker. */
interface CompiledStep {
  captures?: Captures;
  until?: JsonPath;
  callbackFailed?: JsonPath;
}

/**
 * Runs flow iterations: each step in order through the client, its captures read into the iteration's values, its
 * think time slept, an async job polled (or its callback awaited) to the end. Captured values live in one iteration
 * of one user or arrival and die with it. A failed step ends the iteration; the run's stop ends it as interrupted.
 *
 * Times are performance.now() ms. A flow's latency runs from its first step's send (the intended one in an open
 * model, so a stalled target cannot hide its stall) to the end of its last step, think time between steps
 * included (as k6's iteration_duration), the pause after the last step not.
 */
export class FlowRunner {
  private readonly compiled = new Map<StepPlan, CompiledStep>();

  constructor(
    private readonly context: FlowContext,
    private readonly preparer: RequestPreparer,
    flows: readonly FlowPlan[],
  ) {
    for (const flow of flows) {
      for (const step of flow.steps) {
        this.compiled.set(step, {
          ...(step.capture ? { captures: new Captures(step.capture) } : {}),
          ...(step.poll ? { until: compileJsonPath(step.poll.until.json) } : {}),
          ...(step.callback?.failed ? { callbackFailed: compileJsonPath(step.callback.failed.json) } : {}),
        });
      }
    }
  }

  /**
   * Runs one iteration. Returns the pause to take before the same user's next one: the last step's think, then the
   * flow's (closed model; an open-model arrival ends with its iteration). None after an interrupted iteration.
   */
  runIteration(flow: FlowPlan, sender: Sender, intendedAtMs?: number): Promise<number> {
    const only = flow.steps.length === 1 ? flow.steps[0]! : undefined;
    if (flow.implicit && only && !only.capture && !only.poll && !only.callback) {
      // A plain `requests:` item: one request, nothing to read or record beside it. The hot path of most runs,
      // so no async frame per request: a promise handler, made once when there is no think time.
      const executing = this.context.execute(this.preparer.prepare(only, sender), intendedAtMs);
      return only.think ? executing.then(() => this.thinkAfter(only)) : executing.then(noPause);
    }
    return this.runSteps(flow, sender, intendedAtMs);
  }

  private thinkAfter(step: StepPlan): number {
    return step.think && !this.context.stopping ? sampleThinkMs(step.think, this.random) : 0;
  }

  private readonly random = (): number => this.context.random();

  private async runSteps(flow: FlowPlan, sender: Sender, intendedAtMs: number | undefined): Promise<number> {
    const random = this.random;
    const { flows } = this.context;
    const startedAtMs = intendedAtMs ?? performance.now();
    if (!flow.implicit) flows.iterationStarted(flow.name);
    const captured = new Map<string, unknown>();
    let outcome: IterationOutcome | undefined;
    for (const [index, step] of flow.steps.entries()) {
      if (index > 0 && this.context.stopping) {
        outcome = { kind: 'interrupted' };
        break;
      }
      const end = await this.runStep(step, sender, captured, index === 0 ? intendedAtMs : undefined);
      if (end !== 'ok') {
        outcome = end === 'failed' ? { kind: 'failed', step: step.name } : { kind: 'interrupted' };
        break;
      }
      const last = index === flow.steps.length - 1;
      if (!last && step.think && !(await this.context.sleep(sampleThinkMs(step.think, random)))) {
        outcome = { kind: 'interrupted' };
        break;
      }
    }
    outcome ??= { kind: 'completed', latencyUs: (performance.now() - startedAtMs) * 1000 };
    if (!flow.implicit) flows.iterationEnded(flow.name, outcome);
    if (outcome.kind === 'interrupted') return 0;
    const lastThink = outcome.kind === 'completed' ? flow.steps.at(-1)!.think : undefined;
    return (lastThink ? sampleThinkMs(lastThink, random) : 0) + (flow.think ? sampleThinkMs(flow.think, random) : 0);
  }

  private async runStep(
    step: StepPlan,
    sender: Sender,
    captured: Map<string, unknown>,
    intendedAtMs: number | undefined,
  ): Promise<StepEnd> {
    const compiled = this.compiled.get(step)!;
    // The callback URL is registered before the submit goes out: a fast job may call back before its 202 arrives.
    const expected = step.callback ? (await this.context.receiver()).expect() : undefined;
    const request = this.preparer.prepare(
      step,
      sender,
      captured,
      expected && step.callback ? { [step.callback.field]: expected.url } : undefined,
    );
    const captures = compiled.captures;
    const judge: ResponseJudge | undefined = captures
      ? (outcome) => {
          const reason = captures.read(outcome.response?.body, captured);
          return reason === undefined ? undefined : { kind: 'capture', reason };
        }
      : undefined;
    const executed = await this.context.execute(request, intendedAtMs, judge);
    if (!executed.ok) {
      expected?.cancel();
      return this.context.stopping ? 'interrupted' : 'failed';
    }
    if (step.poll) return this.pollJob(step, compiled.until!, sender, captured, executed.sentAtMs);
    if (step.callback && expected) return this.awaitCallback(step, compiled.callbackFailed, expected, executed.sentAtMs);
    return 'ok';
  }

  /** Polls on a fixed cadence from the submitting send until a final state, a failed poll, the timeout or a stop. */
  private async pollJob(
    step: StepPlan,
    until: JsonPath,
    sender: Sender,
    captured: Map<string, unknown>,
    submittedAtMs: number,
  ): Promise<StepEnd> {
    const poll = step.poll!;
    const { flows } = this.context;
    flows.jobSubmitted(step.name, 'poll');
    let polls = 0;
    let tickMs = submittedAtMs;
    for (;;) {
      const nowMs = performance.now();
      // From the later of now and the last tick: a timer that fired a little early must not poll one tick twice.
      const nextAtMs = nextPollAtMs(submittedAtMs, poll.everyMs, Math.max(nowMs, tickMs));
      tickMs = nextAtMs;
      if (nextAtMs - submittedAtMs > poll.timeoutMs) {
        flows.jobEnded(step.name, 'poll', 'expired', undefined, polls);
        return 'failed';
      }
      if (!(await this.context.sleep(Math.max(0, nextAtMs - nowMs)))) {
        flows.jobEnded(step.name, 'poll', 'interrupted', undefined, polls);
        return 'interrupted';
      }
      let state = 'unknown' as JobState;
      const judge: ResponseJudge = (outcome) => {
        const read = readBodyPath(outcome.response?.body, until);
        if ('reason' in read) return { kind: 'capture', reason: `poll until: ${read.reason}` };
        state = jobStateOf(read.value, poll.until);
        return undefined;
      };
      polls += 1;
      flows.polled(step.name);
      const executed = await this.context.execute(this.preparer.prepare(poll.request, sender, captured), undefined, judge);
      if (!executed.ok) {
        const stopped = this.context.stopping;
        flows.jobEnded(step.name, 'poll', stopped ? 'interrupted' : 'lost', undefined, polls);
        return stopped ? 'interrupted' : 'failed';
      }
      if (state === 'pending') continue;
      // The job is known to be over when the poll that saw it final has been answered.
      const totalUs = executed.outcome?.timings.totalUs ?? -1;
      const seenAtMs = totalUs >= 0 ? executed.sentAtMs + totalUs / 1000 : performance.now();
      const done = state === 'done';
      flows.jobEnded(step.name, 'poll', done ? 'done' : 'failed', (seenAtMs - submittedAtMs) * 1000, polls);
      return done ? 'ok' : 'failed';
    }
  }

  private async awaitCallback(
    step: StepPlan,
    failedPath: JsonPath | undefined,
    expected: { arrived: Promise<{ atMs: number; body: Buffer }>; cancel(): void },
    submittedAtMs: number,
  ): Promise<StepEnd> {
    const callback = step.callback!;
    const { flows } = this.context;
    flows.jobSubmitted(step.name, 'callback');
    let arrival: { atMs: number; body: Buffer } | undefined;
    const arrived = expected.arrived.then((a) => (arrival = a));
    const remainingMs = Math.max(0, submittedAtMs + callback.timeoutMs - performance.now());
    const awake = await this.context.sleep(remainingMs, arrived);
    if (!arrival) {
      expected.cancel();
      flows.jobEnded(step.name, 'callback', awake ? 'expired' : 'interrupted', undefined, 0);
      return awake ? 'failed' : 'interrupted';
    }
    const { atMs, body } = arrival;
    const failed = failedPath !== undefined && callback.failed !== undefined && isOneOf(body, failedPath, callback.failed.in);
    flows.jobEnded(step.name, 'callback', failed ? 'failed' : 'done', (atMs - submittedAtMs) * 1000, 0);
    return failed ? 'failed' : 'ok';
  }
}

function noPause(): number {
  return 0;
}

function isOneOf(body: Buffer, path: JsonPath, values: readonly (string | number | boolean)[]): boolean {
  const parsed = parseJsonBody(body.toString('utf8'));
  if (!parsed.ok) return false;
  const value = readJsonPath(path, parsed.value);
  return values.some((candidate) => candidate === value);
}

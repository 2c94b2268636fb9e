import type { ClosedStageInput, OpenStageInput } from './schema.js';
import { formatDuration } from '../shared/units.js';
import type { Segment } from '../load/types.js';
import { TailscopeError } from '../shared/errors.js';

type StageInput = ClosedStageInput | OpenStageInput;

/** Thrown when a stage is well-formed alone but not in sequence (a hold with no level before it). */
export class StageSequenceError extends TailscopeError {
  readonly code = 'E_STAGE_SEQUENCE';
  constructor(
    readonly stageIndex: number,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Lays stages end to end on one time axis. A hold without a level keeps the previous one; a ramp starts
 * where the previous stage ended (or at `from`); steps become one segment each; a spike jumps and holds.
 */
export function compileStages(stages: readonly StageInput[], model: 'closed' | 'open'): Segment[] {
  const unit = model === 'closed' ? '' : '/s';
  const segments: Segment[] = [];
  let clockMs = 0;
  let level: number | undefined;
  const push = (name: string | undefined, kind: Segment['kind'], durationMs: number, from: number, to: number, label: string) => {
    segments.push({ index: segments.length, name: name ?? label, kind, startMs: clockMs, endMs: clockMs + durationMs, from, to });
    clockMs += durationMs;
    level = to;
  };

  stages.forEach((stage, stageIndex) => {
    if ('hold' in stage) {
      const held = 'concurrency' in stage ? stage.concurrency : 'rate' in stage ? stage.rate : undefined;
      const value = held ?? level;
      if (value === undefined) {
        throw new StageSequenceError(
          stageIndex,
          model === 'closed' ? 'concurrency' : 'rate',
          `the first hold needs a ${model === 'closed' ? 'concurrency' : 'rate'}`,
        );
      }
      push(stage.name, 'hold', stage.hold, value, value, `hold ${value}${unit} ${formatDuration(stage.hold)}`);
    } else if ('ramp' in stage) {
      const from = stage.from ?? level ?? 0;
      push(stage.name, 'ramp', stage.ramp, from, stage.to, `ramp ${from}→${stage.to}${unit}`);
    } else if ('steps' in stage) {
      stage.steps.forEach((value, stepIndex) => {
        const base = stage.name ? `${stage.name} ${stepIndex + 1}` : `step ${value}${unit}`;
        push(undefined, 'step', stage.each, value, value, base);
      });
    } else {
      push(stage.name, 'spike', stage.for, stage.spike, stage.spike, `spike ${stage.spike}${unit}`);
    }
  });
  return segments;
}

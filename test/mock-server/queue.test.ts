import { describe, expect, it, vi } from 'vitest';
import { SlotQueue, type QueueCapacity } from '../../mock-server/queue.js';

const capacity = (c: Partial<QueueCapacity>): QueueCapacity => ({ slots: 1, maxQueue: Infinity, maxBatch: 1, batchWindowMs: 0, ...c });

describe('SlotQueue', () => {
  it('dispatches at once while slots are free, then first in, first out as slots are released', () => {
    const served: string[][] = [];
    const queue = new SlotQueue<string>(capacity({ slots: 2 }), (batch) => served.push(batch));
    for (const item of ['a', 'b', 'c', 'd']) expect(queue.offer(item)).toBe(true);
    expect(served).toEqual([['a'], ['b']]);
    expect([queue.busy, queue.waiting]).toEqual([2, 2]);
    queue.release();
    queue.release();
    expect(served).toEqual([['a'], ['b'], ['c'], ['d']]);
    queue.release();
    queue.release();
    expect([queue.busy, queue.waiting]).toEqual([0, 0]);
  });

  it('refuses work beyond maxQueue waiting requests, and takes it again once there is room', () => {
    const queue = new SlotQueue<number>(capacity({ slots: 1, maxQueue: 2 }), () => {});
    expect([1, 2, 3, 4].map((n) => queue.offer(n))).toEqual([true, true, true, false]);
    queue.release();
    expect(queue.offer(5)).toBe(true);
    expect(queue.waiting).toBe(2);
  });

  it('forms batches up to maxBatch, dispatching a full batch without waiting for the window', () => {
    vi.useFakeTimers();
    try {
      const served: number[][] = [];
      const queue = new SlotQueue<number>(capacity({ slots: 1, maxBatch: 3, batchWindowMs: 10 }), (batch) => served.push(batch));
      queue.offer(1);
      queue.offer(2);
      expect(served).toEqual([]);
      queue.offer(3);
      expect(served).toEqual([[1, 2, 3]]);
      // The slot is busy: 4 and 5 wait; on release the window opens and closes with what came.
      queue.offer(4);
      queue.offer(5);
      queue.release();
      expect(served).toHaveLength(1);
      vi.advanceTimersByTime(10);
      expect(served).toEqual([
        [1, 2, 3],
        [4, 5],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps FIFO order through many items (the deque compacts without losing any)', () => {
    const served: number[] = [];
    const queue = new SlotQueue<number>(capacity({ slots: 1 }), (batch) => served.push(...batch));
    for (let i = 0; i < 5000; i++) queue.offer(i);
    for (let i = 0; i < 5000; i++) queue.release();
    expect(served).toEqual([...Array(5000).keys()]);
  });

  it('applies a new capacity to waiting work at once', () => {
    const served: number[] = [];
    const queue = new SlotQueue<number>(capacity({ slots: 1 }), (batch) => served.push(...batch));
    [1, 2, 3].forEach((n) => queue.offer(n));
    expect(served).toEqual([1]);
    queue.setCapacity(capacity({ slots: 3 }));
    expect(served).toEqual([1, 2, 3]);
  });
});

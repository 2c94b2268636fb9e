import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/analysis/event-queue.js';

type Event = { atMs: number; rank: number; name: string };

function drained(events: Event[]): string[] {
  const queue = new EventQueue<Event>();
  for (const event of events) queue.push(event);
  const names: string[] = [];
  for (let event = queue.pop(); event; event = queue.pop()) names.push(event.name);
  return names;
}

describe('EventQueue', () => {
  it.each([
    { case: 'empty', events: [], order: [] },
    {
      case: 'by time',
      events: [
        { atMs: 3, rank: 0, name: 'c' },
        { atMs: 1, rank: 0, name: 'a' },
        { atMs: 2, rank: 0, name: 'b' },
      ],
      order: ['a', 'b', 'c'],
    },
    {
      case: 'same instant: by rank',
      events: [
        { atMs: 5, rank: 2, name: 'send' },
        { atMs: 5, rank: 0, name: 'answer' },
        { atMs: 5, rank: 1, name: 'end' },
      ],
      order: ['answer', 'end', 'send'],
    },
    {
      case: 'same instant and rank: in the order pushed',
      events: [
        { atMs: 1, rank: 1, name: 'x' },
        { atMs: 1, rank: 1, name: 'y' },
        { atMs: 0.5, rank: 9, name: 'w' },
        { atMs: 1, rank: 1, name: 'z' },
      ],
      order: ['w', 'x', 'y', 'z'],
    },
  ])('pops $case', ({ events, order }) => expect(drained(events)).toEqual(order));

  it('pops what a linear scan for the least (time, rank, order) would, across interleaved pushes and pops', () => {
    const queue = new EventQueue<Event>();
    const reference: { event: Event; order: number }[] = [];
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const referencePop = () => {
      let least = 0;
      for (let i = 1; i < reference.length; i++) {
        const [a, b] = [reference[i]!, reference[least]!];
        const earlier = a.event.atMs - b.event.atMs || a.event.rank - b.event.rank || a.order - b.order;
        if (earlier < 0) least = i;
      }
      return reference.splice(least, 1)[0]!.event.name;
    };
    let pops = 0;
    for (let i = 0; i < 3_000; i++) {
      const event = { atMs: Math.floor(next() * 50), rank: Math.floor(next() * 3), name: String(i) };
      queue.push(event);
      reference.push({ event, order: i });
      while (next() < 0.45 && reference.length > 0) {
        expect(queue.pop()!.name).toBe(referencePop());
        pops += 1;
      }
      expect(queue.size).toBe(reference.length);
    }
    while (reference.length > 0) expect(queue.pop()!.name).toBe(referencePop());
    expect(queue.pop()).toBeUndefined();
    expect(pops).toBeGreaterThan(1_000);
  });
});

/**
 * A time-ordered queue for a discrete-event simulation: a binary min-heap on (time, rank, insertion order).
 * `rank` orders events due at the same instant (lower first); insertion order breaks the remaining ties, so a
 * seeded simulation replays the same way every time.
 */
export class EventQueue<Event extends { atMs: number; rank: number }> {
  private readonly heap: { event: Event; order: number }[] = [];
  private inserted = 0;

  get size(): number {
    return this.heap.length;
  }

  push(event: Event): void {
    const heap = this.heap;
    heap.push({ event, order: this.inserted++ });
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.before(child, parent)) break;
      [heap[child], heap[parent]] = [heap[parent]!, heap[child]!];
      child = parent;
    }
  }

  /** The earliest event, removed; undefined when the queue is empty. */
  pop(): Event | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top?.event;
    heap[0] = last;
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let first = parent;
      if (left < heap.length && this.before(left, first)) first = left;
      if (right < heap.length && this.before(right, first)) first = right;
      if (first === parent) break;
      [heap[first], heap[parent]] = [heap[parent]!, heap[first]!];
      parent = first;
    }
    return top.event;
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    if (x.event.atMs !== y.event.atMs) return x.event.atMs < y.event.atMs;
    if (x.event.rank !== y.event.rank) return x.event.rank < y.event.rank;
    return x.order < y.order;
  }
}

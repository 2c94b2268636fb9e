/**
 * Service slots with a FIFO queue in front, and optional dynamic batching. This is what makes the mock server
 * saturate like a real one: with S slots and service time s, throughput at concurrency ≥ S is S/s and the
 * excess waits here, where its wait is measured separately from its service.
 */

export interface QueueCapacity {
  /** Concurrent slots (Infinity for none). */
  slots: number;
  /** Waiting requests allowed beyond the busy slots (Infinity for no limit). */
  maxQueue: number;
  /** One slot serves up to this many requests together. */
  maxBatch: number;
  /** How long a free slot waits for a batch to fill before serving what it has. */
  batchWindowMs: number;
}

export class SlotQueue<T> {
  private capacity: QueueCapacity;
  private readonly dispatch: (batch: T[]) => void;
  // A deque as an array plus a head index: shift() is O(n) and the queue can hold thousands.
  private items: T[] = [];
  private head = 0;
  private busySlots = 0;
  private windowTimer: NodeJS.Timeout | undefined;

  /** `dispatch` gets each batch (of one, without batching) when a slot takes it; call `release()` when it is served. */
  constructor(capacity: QueueCapacity, dispatch: (batch: T[]) => void) {
    this.capacity = capacity;
    this.dispatch = dispatch;
  }

  get waiting(): number {
    return this.items.length - this.head;
  }

  get busy(): number {
    return this.busySlots;
  }

  /** Returns false when the queue is full (the caller answers 503); otherwise the item is dispatched now or later. */
  offer(item: T): boolean {
    if (this.busySlots >= this.capacity.slots && this.waiting >= this.capacity.maxQueue) return false;
    this.items.push(item);
    this.pump();
    return true;
  }

  release(): void {
    this.busySlots--;
    this.pump();
  }

  /** A profile swap changes capacity for what comes next; requests in service finish as they started. */
  setCapacity(capacity: QueueCapacity): void {
    this.capacity = capacity;
    this.pump();
  }

  /** Drops waiting requests without dispatching them (server shutdown). */
  clear(): T[] {
    const dropped = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    if (this.windowTimer) clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
    return dropped;
  }

  private pump(): void {
    const { slots, maxBatch, batchWindowMs } = this.capacity;
    while (this.busySlots < slots && this.waiting > 0) {
      if (maxBatch > 1 && batchWindowMs > 0 && this.waiting < maxBatch) {
        // Hold the free slot for the window so the batch can fill; a full batch dispatches at once (below).
        this.windowTimer ??= setTimeout(() => {
          this.windowTimer = undefined;
          if (this.busySlots < this.capacity.slots && this.waiting > 0) this.dispatchBatch();
          this.pump();
        }, batchWindowMs).unref();
        return;
      }
      if (this.windowTimer) {
        clearTimeout(this.windowTimer);
        this.windowTimer = undefined;
      }
      this.dispatchBatch();
    }
  }

  private dispatchBatch(): void {
    const size = Math.min(this.capacity.maxBatch, this.waiting);
    const batch = size === 1 ? [this.items[this.head]!] : this.items.slice(this.head, this.head + size);
    this.head += size;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.busySlots++;
    this.dispatch(batch);
  }
}

// The run's event log: every allocation, free, heap write, printk, context change, module state
// change, finding and deferred callback or kernel thread step, each with the student's span. It feeds the memory map's timeline and its
// travel back in time. Recording costs one boolean test when nobody listens; heap writes are only
// recorded when `traceWrites` was requested before the module was compiled. The kept events are a
// ring of at most `cap`: past it the oldest are dropped (in O(1)), counted in `dropped`, and
// `notice()` says so.

import type { Span } from '../source/source';
import type { I64 } from '../vm/value';

export type KernelEvent =
  | { kind: 'alloc'; id: number; family: string; addr: I64; size: number; cache?: string; gfp?: number; span?: Span }
  | { kind: 'free'; id: number; family: string; addr: I64; span?: Span }
  | { kind: 'write'; addr: I64; size: number; span?: Span }
  | { kind: 'printk'; level: number; text: string; span?: Span }
  | { kind: 'context'; what: string; enter: boolean; span?: Span; preemptCount: number; irqsDisabled: boolean }
  | { kind: 'module'; name: string; state: 'coming' | 'live' | 'going' | 'gone' | 'failed' }
  | { kind: 'finding'; rule: string; message: string; span?: Span }
  /** Deferred work as it runs (kernel/deferred.ts): a callback fires, a kernel thread runs, blocks or ends. */
  | { kind: 'deferred'; what: 'timer' | 'hrtimer' | 'tasklet' | 'rcu' | 'work' | 'kthread'; fn: string; task: string; phase: 'run' | 'block' | 'exit'; detail?: string };

export type StampedEvent = KernelEvent & { seq: number; ns: number };

export class EventLog {
  private readonly listeners: ((e: StampedEvent) => void)[] = [];
  /** A ring: the oldest kept event is at `head` once the ring is full. */
  private readonly kept: StampedEvent[] = [];
  private head = 0;
  private seq = 0;
  /** Oldest events are dropped past this many (and `dropped` says how many). */
  cap = 200_000;
  dropped = 0;
  recording = false;
  traceWrites = false;
  now: () => number = () => 0;

  get active(): boolean {
    return this.recording || this.listeners.length > 0;
  }

  /** Keep events in memory (for `--json` and the memory map timeline). */
  record(on = true): void {
    this.recording = on;
  }

  listen(fn: (e: StampedEvent) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  emit(e: KernelEvent): void {
    if (!this.recording && this.listeners.length === 0) return;
    const s = { ...e, seq: ++this.seq, ns: this.now() } as StampedEvent;
    if (this.recording) {
      if (this.kept.length < this.cap) this.kept.push(s);
      else {
        this.kept[this.head] = s;
        this.head = (this.head + 1) % this.kept.length;
        this.dropped++;
      }
    }
    for (const l of this.listeners) l(s);
  }

  /** The kept events, oldest first. */
  all(): readonly StampedEvent[] {
    return this.head === 0 ? this.kept : [...this.kept.slice(this.head), ...this.kept.slice(0, this.head)];
  }

  /** What was dropped, in a sentence for the log or the memory map; undefined when nothing was. */
  notice(): string | undefined {
    if (this.dropped === 0) return undefined;
    return `event log full: the ${this.dropped} oldest events were dropped; the newest ${this.kept.length} are kept`;
  }
}

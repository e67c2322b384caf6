// The extension's side of a kernel worker: a queue of requests sent one at a time, each answered by
// exactly one reply. It never imports vscode (the unit tests drive it with a real worker thread).
//
// Policy, so that the editor never waits on the emulated machine:
//   - One request is in flight at a time; later ones wait in the queue, where they can still be
//     cancelled or replaced (pressing Load ten times runs one Load, not ten).
//   - `restart()` terminates the worker: whatever was in flight or queued is rejected with
//     `Cancelled`, and the next request starts a fresh worker. A terminated worker loses its machine.
//   - A request that takes longer than its time limit (a bug: the core's soft-lockup watchdog
//     stops endless loops long before) ends the worker the same way, with `WorkerTimeout`.

import type { FromWorker, ReplyFor, ToWorker } from '../protocol/kernel';

/** The transport: a Node worker thread or a Web Worker behind the same four calls. */
export interface WorkerLike<To = ToWorker, From = FromWorker> {
  post(msg: To): void;
  /** Replies; also `undefined`-free errors through `onFailure`. */
  onMessage(cb: (msg: From) => void): void;
  /** The worker died (an uncaught error, or it exited). */
  onFailure(cb: (err: Error) => void): void;
  terminate(): void;
}

export type WorkerFactory = () => WorkerLike;

/** A request that was cancelled by a newer one or by `restart()`. Callers ignore it. */
export class Cancelled extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Cancelled';
  }
}

/** The worker did not answer in time and was restarted. */
export class WorkerTimeout extends Error {
  constructor(ms: number) {
    super(`the emulated kernel did not answer within ${Math.round(ms / 1000)} s and was restarted`);
    this.name = 'WorkerTimeout';
  }
}

/** A request without its id, which the client assigns. */
export type Request = ToWorker extends infer T ? (T extends ToWorker ? Omit<T, 'id'> : never) : never;

interface Job {
  readonly msg: Request;
  readonly timeoutMs: number;
  resolve(reply: FromWorker): void;
  reject(err: Error): void;
}

/** Timers, injectable so tests can run without real time if they want to. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const DEFAULT_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class KernelClient {
  private worker: WorkerLike | undefined;
  private readonly queue: Job[] = [];
  private inFlight: { job: Job; id: number; timer: unknown } | undefined;
  private nextId = 1;
  private disposed = false;
  /** How many workers were started; for tests and the log. */
  started = 0;

  constructor(
    private readonly factory: WorkerFactory,
    private readonly timers: Timers = DEFAULT_TIMERS,
  ) {}

  /** Sends `msg` after the requests queued before it; resolves with its reply. */
  request<T extends Request>(msg: T, timeoutMs = 120_000): Promise<ReplyFor[T['type']]> {
    if (this.disposed) return Promise.reject(new Cancelled('the kernel worker was shut down'));
    return new Promise<FromWorker>((resolve, reject) => {
      this.queue.push({ msg, timeoutMs, resolve, reject });
      this.pump();
    }) as Promise<ReplyFor[T['type']]>;
  }

  /** Rejects the queued (not yet sent) requests that match `which` with `Cancelled`. */
  cancelQueued(which: (msg: Request) => boolean, reason = 'replaced by a newer request'): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (which(this.queue[i].msg)) this.queue.splice(i, 1)[0].reject(new Cancelled(reason));
    }
  }

  /** The type of the request being worked on, if any. */
  get busyWith(): Request['type'] | undefined {
    return this.inFlight?.job.msg.type;
  }

  /** Terminates the worker: the request in flight and every queued one are cancelled. */
  restart(reason = 'cancelled'): void {
    this.cancelQueued(() => true, reason);
    this.killWorker(new Cancelled(reason));
  }

  dispose(): void {
    this.disposed = true;
    this.restart('the kernel worker was shut down');
  }

  private killWorker(err: Error): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) w.terminate();
    const f = this.inFlight;
    this.inFlight = undefined;
    if (f) {
      this.timers.clearTimeout(f.timer);
      f.job.reject(err);
    }
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const w = this.factory();
    this.started++;
    w.onMessage((reply) => {
      if (w !== this.worker) return; // A reply from a worker we already ended.
      const f = this.inFlight;
      if (!f || reply.inReplyTo !== f.id) return;
      this.inFlight = undefined;
      this.timers.clearTimeout(f.timer);
      if (reply.type === 'internal-error') f.job.reject(new Error(`internal error in Kernel Module Lab: ${reply.message}`));
      else f.job.resolve(reply);
      this.pump();
    });
    w.onFailure((err) => {
      if (w !== this.worker) return;
      this.killWorker(new Error(`the kernel worker stopped: ${err.message}`));
      this.pump();
    });
    this.worker = w;
    return w;
  }

  private pump(): void {
    if (this.inFlight || this.disposed) return;
    const job = this.queue.shift();
    if (!job) return;
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const timer = this.timers.setTimeout(() => {
      if (this.inFlight?.id !== id) return;
      this.killWorker(new WorkerTimeout(job.timeoutMs));
      this.pump();
    }, job.timeoutMs);
    this.inFlight = { job, id, timer };
    worker.post({ ...job.msg, id } as ToWorker);
  }
}

// Lockdep: the kernel's lock validator (kernel/locking/lockdep.c, CONFIG_PROVE_LOCKING). Every lock
// belongs to a class: a statically defined lock (DEFINE_MUTEX(lock_a)) is its own class, named
// after its variable; a lock set up by mutex_init()/spin_lock_init() belongs to the class of that
// call's argument text (`&dev->lock`). Each acquisition made while other locks are held adds the
// edges held-class → new-class to a dependency graph, remembering the call trace that made it.
// Before adding them, lockdep looks for trouble, as Linux does:
//   * the new class is already held by this task: `WARNING: possible recursive locking detected`
//     (an AA deadlock; a read lock of an rwlock may recurse);
//   * the graph already has a path new → held: `WARNING: possible circular locking dependency
//     detected` (AB-BA), with the chain that proves it and the two-CPU scenario.
// Like Linux, lockdep reports once per boot and then turns itself off. Debian's stock kernel has no
// lockdep; only the `full` configuration (for teaching) runs it. Report texts follow 6.1's
// print_deadlock_bug(), print_circular_bug*() and lockdep_print_held_locks().

import type { CallSite } from '../vm/machine';
import type { I64 } from '../vm/value';
import { toHex64 } from '../vm/value';
import type { Kernel } from './kernel';
import type { Frame } from './trace';
import { INSMOD_TAIL, RMMOD_TAIL } from './trace';
import { DEBIAN_QEMU, frameSymbol, kframe, printTainted } from './report';

/** The kinds of lock lockdep tracks, with their wait-type annotation `{inner:outer}`. */
export type LockKind = 'mutex' | 'spin' | 'raw_spin' | 'rwlock' | 'rwsem';

const WAIT_TYPE: Record<LockKind, string> = { mutex: '{3:3}', rwsem: '{3:3}', spin: '{2:2}', rwlock: '{2:2}', raw_spin: '{1:1}' };

/** Kernel frames between lock_acquire() and the module, per kind (non-inlined 6.1 build with lockdep). */
const ACQUIRE_PATH: Record<LockKind, readonly Frame[]> = {
  mutex: [kframe('__mutex_lock', 0x9c, 0x1050), kframe('mutex_lock_nested', 0x1b, 0x30)],
  rwsem: [kframe('down_write', 0x2f, 0xc0)],
  spin: [kframe('_raw_spin_lock', 0x34, 0x80)],
  raw_spin: [kframe('_raw_spin_lock', 0x34, 0x80)],
  rwlock: [kframe('_raw_write_lock', 0x34, 0x80)],
};
const LOCK_ACQUIRE = [kframe('__lock_acquire', 0x3a4, 0x1f90), kframe('lock_acquire', 0xd6, 0x2f0)];

interface LockClass {
  readonly name: string;
  readonly kind: LockKind;
  /** Classes taken while this one was held, with the trace of the first such acquisition. */
  readonly after: Map<LockClass, readonly Frame[]>;
  /** Usage seen so far, for the `{+.+.}` string. */
  usedInHardirq: boolean;
  usedInSoftirq: boolean;
  enabledHardirq: boolean;
  enabledSoftirq: boolean;
  read: boolean;
}

interface HeldLock {
  readonly addr: I64;
  readonly cls: LockClass;
  /** Where it was taken (the `at:` frame). */
  readonly at: Frame | undefined;
  readonly read: boolean;
}

export class Lockdep {
  /** Classes of locks set up at run time, by the lock's address. */
  private readonly dynamic = new Map<string, LockClass>();
  private readonly byName = new Map<string, LockClass>();
  private readonly held = new Map<string, HeldLock[]>();
  /** debug_locks: cleared by the first report. */
  private on = true;

  constructor(private readonly k: Kernel) {}

  /** mutex_init() / spin_lock_init(): the lock's class is named after the init call's argument. */
  init(lock: I64, kind: LockKind, name: string): void {
    this.dynamic.set(toHex64(lock), this.classNamed(name, kind));
  }

  /**
   * A task is about to take `lock` (before it may block on it). Reports a recursion or a cycle,
   * then records the lock as held and the new dependencies.
   */
  acquire(lock: I64, kind: LockKind, site: CallSite, read = false): void {
    if (!this.on || this.k.debugLocksOff) return;
    const k = this.k;
    const cls = this.classOf(lock, kind);
    const mine = this.heldBy(k.task);
    const at = k.trace()[0];
    const hl: HeldLock = { addr: lock, cls, at, read };
    this.markUsage(cls, read);
    const same = mine.find((h) => h.cls === cls);
    if (same && !(read && same.read && kind === 'rwlock')) {
      this.report(this.recursive(hl, same, mine), site);
      return;
    }
    for (const prev of mine) {
      const path = this.path(cls, prev.cls);
      if (path) {
        this.report(this.circular(hl, prev, path, mine), site);
        return;
      }
    }
    const trace = [...(ACQUIRE_PATH[kind] ?? []), ...this.taskFrames()];
    for (const prev of mine) if (!prev.cls.after.has(cls)) prev.cls.after.set(cls, trace);
    mine.push(hl);
  }

  /** The lock was released: it is no longer held (innermost matching acquisition). */
  release(lock: I64): void {
    const mine = this.held.get(taskKey(this.k.task));
    if (!mine) return;
    const key = toHex64(lock);
    for (let i = mine.length - 1; i >= 0; i--) {
      if (toHex64(mine[i].addr) === key) {
        mine.splice(i, 1);
        return;
      }
    }
  }

  // ---- classes ----------------------------------------------------------------------------------

  private classOf(lock: I64, kind: LockKind): LockClass {
    return this.dynamic.get(toHex64(lock)) ?? this.classNamed(this.staticName(lock), kind);
  }

  private classNamed(name: string, kind: LockKind): LockClass {
    let c = this.byName.get(name);
    if (!c) {
      c = { name, kind, after: new Map(), usedInHardirq: false, usedInSoftirq: false, enabledHardirq: false, enabledSoftirq: false, read: false };
      this.byName.set(name, c);
    }
    return c;
  }

  /** A statically initialised lock is named after its variable (`lock_a`, `dev.lock` for a member). */
  private staticName(lock: I64): string {
    const a = typeof lock === 'number' ? lock : Number(lock);
    for (const m of this.k.modules.values()) {
      for (const [v, addr] of m.globalAddrs) {
        const base = typeof addr === 'number' ? addr : Number(addr);
        const size = v.type.kind === 'struct' || v.type.kind === 'array' ? sizeOfVar(v.type) : 8;
        if (a < base || a >= base + Math.max(1, size)) continue;
        return a === base ? v.name : `${v.name}${memberPath(v.type, a - base)}`;
      }
    }
    return `0x${toHex64(lock)}`;
  }

  private markUsage(c: LockClass, read: boolean): void {
    const ctx = this.k.ctx;
    if (ctx.hardirq > 0) c.usedInHardirq = true;
    else if (!ctx.irqsDisabled) c.enabledHardirq = true;
    if (ctx.softirq > 0 && ctx.hardirq === 0) c.usedInSoftirq = true;
    else if (ctx.softirq === 0) c.enabledSoftirq = true;
    if (read) c.read = true;
  }

  /** Is there a path from → ... → to in the dependency graph? The classes on it, from first to last. */
  private path(from: LockClass, to: LockClass): LockClass[] | undefined {
    const seen = new Set<LockClass>([from]);
    const queue: LockClass[][] = [[from]];
    while (queue.length) {
      const p = queue.shift()!;
      const last = p[p.length - 1];
      for (const next of last.after.keys()) {
        if (next === to) return [...p, next];
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push([...p, next]);
      }
    }
    return undefined;
  }

  private heldBy(task: { pid: number; comm: string }): HeldLock[] {
    const key = taskKey(task);
    let l = this.held.get(key);
    if (!l) this.held.set(key, (l = []));
    return l;
  }

  /** The running code's frames with the kernel path below it (syscall, kthread, softirq). */
  private taskFrames(): Frame[] {
    const k = this.k;
    const tail = k.current?.tail ?? (k.current?.phase === 'exit' ? RMMOD_TAIL : INSMOD_TAIL);
    return [...k.trace(), ...tail];
  }

  // ---- reports ----------------------------------------------------------------------------------

  private report(lines: string[], site: CallSite): void {
    this.on = false;
    const k = this.k;
    k.report('lockdep', lines, site.span, [], 4);
    k.dumpStack(this.lastAbove);
  }

  private lastAbove: readonly Frame[] = [];

  private lockLine(h: HeldLock): string {
    return `${hex(h.addr)} ${this.className(h.cls)}, at: ${h.at ? frameSymbol(h.at) : '0x0'}`;
  }

  /** print_lock_name(): `(lock_a){+.+.}-{3:3}`. */
  private className(c: LockClass): string {
    const ch = (used: boolean, enabled: boolean): string => (used && enabled ? '?' : used ? '-' : enabled ? '+' : '.');
    const write = (u: boolean, e: boolean): string => ch(u, e);
    const read = (u: boolean, e: boolean): string => (c.read ? ch(u, e) : '.');
    const usage = `${write(c.usedInHardirq, c.enabledHardirq)}${read(c.usedInHardirq, c.enabledHardirq)}${write(c.usedInSoftirq, c.enabledSoftirq)}${read(c.usedInSoftirq, c.enabledSoftirq)}`;
    return `(${c.name}){${usage}}-${WAIT_TYPE[c.kind]}`;
  }

  private ident(): string {
    const m = DEBIAN_QEMU;
    return `${m.release} ${m.version.split(' ')[0]} ${printTainted(this.k.taints)}`;
  }

  private heldLines(mine: readonly HeldLock[]): string[] {
    const t = this.k.task;
    const n = mine.length;
    const out = [`${n === 0 ? 'no locks' : n === 1 ? '1 lock' : `${n} locks`} held by ${t.comm}/${t.pid}:`];
    mine.forEach((h, i) => out.push(` #${i}: ${this.lockLine(h)}`));
    return out;
  }

  /** The opening every lockdep report shares: the rule (`=` and `-` lines as long as the WARNING), both locks. */
  private header(what: string, next: HeldLock, prev: HeldLock): string[] {
    const t = this.k.task;
    const title = `WARNING: ${what}`;
    return [
      '',
      '='.repeat(title.length),
      title,
      this.ident(),
      '-'.repeat(title.length),
      `${t.comm}/${t.pid} is trying to acquire lock:`,
      this.lockLine(next),
      '',
      'but task is already holding lock:',
      this.lockLine(prev),
      '',
    ];
  }

  /** print_deadlock_bug(). */
  private recursive(next: HeldLock, prev: HeldLock, mine: readonly HeldLock[]): string[] {
    const name = next.cls.name;
    this.lastAbove = [kframe('print_deadlock_bug.cold', 0x2f, 0x3c), ...LOCK_ACQUIRE, ...(ACQUIRE_PATH[next.cls.kind] ?? [])];
    return [
      ...this.header('possible recursive locking detected', next, prev),
      'other info that might help us debug this:',
      ' Possible unsafe locking scenario:',
      '',
      '       CPU0',
      '       ----',
      `  lock(${name});`,
      `  lock(${name});`,
      '',
      ' *** DEADLOCK ***',
      '',
      ' May be due to missing lock nesting notation',
      '',
      ...this.heldLines(mine),
      '',
      'stack backtrace:',
    ];
  }

  /** print_circular_bug(): the header, the chain in reverse order, the scenario, the held locks. */
  private circular(next: HeldLock, prev: HeldLock, path: readonly LockClass[], mine: readonly HeldLock[]): string[] {
    const kindPath = ACQUIRE_PATH[next.cls.kind] ?? [];
    this.lastAbove = [kframe('check_noncircular', 0x12e, 0x150), ...LOCK_ACQUIRE, ...kindPath];
    // path: next → ... → prev; the existing chain is printed from prev back to next, then next (#0) with this acquisition's trace.
    const out = [
      ...this.header('possible circular locking dependency detected', next, prev),
      'which lock already depends on the new lock.',
      '',
      '',
      'the existing dependency chain (in reverse order) is:',
    ];
    for (let i = path.length - 1; i >= 1; i--) {
      const cls = path[i];
      const trace = path[i - 1].after.get(cls) ?? [];
      out.push('', `-> #${i} ${this.className(cls)}:`, ...trace.map((f) => `       ${frameSymbol(f)}`));
    }
    const now = [...LOCK_ACQUIRE, ...kindPath, ...this.taskFrames()];
    out.push('', `-> #0 ${this.className(next.cls)}:`, ...now.map((f) => `       ${frameSymbol(f)}`));
    out.push('', 'other info that might help us debug this:', '');
    const a = prev.cls.name;
    const b = next.cls.name;
    if (path.length > 2) out.push('Chain exists of:', `  ${[...path].reverse().map((c) => c.name).join(' --> ')}`, '');
    out.push(
      ' Possible unsafe locking scenario:',
      '',
      '       CPU0                    CPU1',
      '       ----                    ----',
      `  lock(${a});`,
      `                               lock(${path.length > 2 ? path[path.length - 2].name : b});`,
      `                               lock(${a});`,
      `  lock(${b});`,
      '',
      ' *** DEADLOCK ***',
      '',
      ...this.heldLines(mine),
      '',
      'stack backtrace:',
    );
    return out;
  }
}

const instances = new WeakMap<Kernel, Lockdep>();

/** The kernel's lockdep, or undefined when its configuration has none (Debian's stock kernel). */
export function lockdep(k: Kernel): Lockdep | undefined {
  if (!k.config.lockdep) return undefined;
  let l = instances.get(k);
  if (!l) instances.set(k, (l = new Lockdep(k)));
  return l;
}

function taskKey(t: { pid: number; comm: string }): string {
  return `${t.pid}:${t.comm}`;
}

function hex(v: I64): string {
  return toHex64(v).padStart(16, '0');
}

function sizeOfVar(t: import('../c/types').CType): number {
  return 'size' in t && typeof t.size === 'number' ? t.size : 8;
}

/** `.member.sub` of the byte at `off` inside a struct (what a static initializer's #name shows). */
function memberPath(t: import('../c/types').CType, off: number): string {
  if (t.kind !== 'struct') return `+${off}`;
  for (const m of t.members) {
    const size = sizeOfVar(m.type);
    if (off >= m.offset && off < m.offset + Math.max(1, size)) return `.${m.name}${off === m.offset && m.type.kind !== 'struct' ? '' : memberPath(m.type, off - m.offset)}`;
  }
  return `+${off}`;
}

// Rule `atomic-sleep` (KM3001): a call that may sleep while the path holds a spinlock, runs with
// interrupts, preemption or softirqs off, sits in an RCU read-side section, or runs in a callback
// the kernel calls atomically. The interpreter tracks the atomic sections path by path (a lock
// taken in one branch only counts on that branch); this check reads each call event's holds and
// decides whether the call sleeps: from the API table (always, or when its gfp flags allow direct
// reclaim, including flags held in a variable or passed down from a caller) or from the callee's
// summary, at any depth, with the call chain as related information.

import type { Diagnostic, Fix, Related } from '../diag/diagnostic';
import { gfpFix } from './fixes';
import type { Event } from './interp';
import { srcText } from './interp';
import type { Hold } from './state';
import { gfpMaySleep, holdReason, isAtomicHold, sleepKind } from './kernelApi';
import type { ModuleResult } from './module';
import { Dedupe, finding, lineOf, RULES, studentFunctions } from './report';
import type { SleepInfo } from './summary';
import { sleepApplies } from './summary';

interface Sleeps {
  /** How the sleeping call reads: `kmalloc(GFP_KERNEL)`, `msleep()`, `helper() (it calls msleep())`. */
  readonly what: string;
  readonly chain: readonly Related[];
  readonly gfpFixable: boolean;
}

function gfpText(ev: Extract<Event, { k: 'call' }>, i: number | undefined): string | undefined {
  if (i === undefined) return undefined;
  const a = ev.argExprs[i];
  const t = a ? srcText(a.span) : undefined;
  return t && /^[A-Z_|() ]+$/.test(t) ? t : undefined;
}

/** Whether (and why) the call may sleep, or undefined. */
export function sleepsAt(ev: Extract<Event, { k: 'call' }>): Sleeps | undefined {
  if (ev.sum) {
    const chainOf = (s: SleepInfo): Related[] => [{ span: s.span, message: `${s.call} in ${ev.name}() may sleep` }, ...s.chain];
    const s = ev.sum.sleeps.find((x) => sleepApplies(x, ev.args));
    if (s) return { what: `${ev.name}() may sleep (it calls ${short(s.call)} at line ${lineOf(s.span)})`, chain: chainOf(s), gfpFixable: false };
    for (const [i, s] of ev.sum.gfpSleep) {
      const a = ev.args[i];
      if (a?.n !== undefined && gfpMaySleep(a.n)) {
        const g = gfpText(ev, i) ?? 'flags that allow reclaim';
        return { what: `${ev.name}(${g}) may sleep (it passes ${g} to ${short(s.call)} at line ${lineOf(s.span)})`, chain: chainOf(s), gfpFixable: true };
      }
    }
    return undefined;
  }
  const sk = ev.exp?.sleeps === 'always' ? { kind: 'always' as const } : ev.exp?.sleeps === 'gfp' ? { kind: 'gfp' as const, gfpArg: ev.exp.gfpArg } : sleepKind(ev.name);
  if (!sk) return undefined;
  if (sk.kind === 'always') return { what: `${ev.name}() may sleep`, chain: [], gfpFixable: false };
  const i = sk.gfpArg;
  const a = i !== undefined ? ev.args[i] : undefined;
  if (a?.n === undefined || !gfpMaySleep(a.n)) return undefined;
  const g = gfpText(ev, i);
  return { what: g ? `${ev.name}(${g}) may sleep` : `${ev.name}() with flags that allow direct reclaim may sleep`, chain: [], gfpFixable: g !== undefined };
}

function short(call: string): string {
  const m = /^(\w+)\(/.exec(call);
  return m ? `${m[1]}()` : call;
}

/** "spin_lock(&evt_lock) at line 24 holds a spinlock", or the callback's own reason. */
export function holdDesc(h: Hold): string {
  if (h.kind === 'callback') return `it runs in atomic context: ${h.note ?? h.call}`;
  return `${h.call} at line ${lineOf(h.site)} ${holdReason(h.kind)}`;
}

export function checkAtomicSleep(m: ModuleResult): Diagnostic[] {
  const d = new Dedupe();
  for (const r of studentFunctions(m)) {
    for (const ev of r.events) {
      if (ev.k !== 'call') continue;
      const holds = ev.holds.filter((h) => isAtomicHold(h.kind));
      if (holds.length === 0) continue;
      const s = sleepsAt(ev);
      if (!s) continue;
      const h = holds[holds.length - 1];
      const message = `${s.what}, but ${holdDesc(h)}`;
      const related: Related[] = [
        h.kind === 'callback'
          ? { span: h.site, message: 'registered here' }
          : { span: h.site, message: `${h.call} ${h.kind === 'rcu' ? 'starts the RCU read-side section' : h.kind === 'preempt' ? 'disables preemption' : h.kind.startsWith('irq') ? 'disables interrupts' : 'takes the lock'} here` },
        ...(h.chain ?? []),
        ...s.chain,
      ];
      const fixes: Fix[] = [];
      if (s.gfpFixable) {
        const gi = ev.sum ? [...ev.sum.gfpSleep.keys()].find((i) => ev.args[i]?.n !== undefined) : ev.exp?.gfpArg;
        const text = gi !== undefined ? gfpText(ev, gi) : undefined;
        const hint = h.kind === 'callback' ? 'this callback cannot sleep' : `or move the call before ${h.call}`;
        if (text) {
          const fx = gfpFix(ev.argExprs[gi!], text, 'GFP_ATOMIC', `Use GFP_ATOMIC (it cannot sleep, but fails more often; ${hint})`);
          if (fx) fixes.push(fx);
        }
      }
      d.add(`${ev.span.start}`, finding(RULES.atomicSleep, ev.span, message, related, fixes));
    }
  }
  return d.out;
}

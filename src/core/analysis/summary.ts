// Function summaries: what a call does, stated in the callee's own terms so that the caller can
// translate it. A callee refers to its inputs through symbolic objects (`s<fn>_<n>`: the value a
// parameter, a global or a field behind them held at entry); `symOrigin` says which place each one
// came from, so a caller maps `#s2_0.page_info` to `rx.page_info` when it passes `&rx`.
// A summary has up to a few cases, one per class of return value (0, nonzero, NULL, non-NULL), so
// `ret = helper(); if (ret) goto err;` keeps each outcome's effects apart.

import type { Related } from '../diag/diagnostic';
import type { Span } from '../source/source';
import type { AllocFamily, ContextEffect } from './kernelApi';

export type ReleaseKind = Extract<ContextEffect, { release: unknown }>['release'];
import type { Facts, Hold, ListVal, State, Val } from './state';
import { DEFAULT_FACTS, joinAll, NULL_T, Nul, objectOf, ownerOf, referencedObjects } from './state';
import type { JoinContext } from './state';

export interface SleepInfo {
  /** The sleeping call (in the callee, or the call to a deeper helper). */
  readonly span: Span;
  /** How it reads: `msleep(10)`. */
  readonly call: string;
  /** Deeper calls down to the sleeping one, as related information. */
  readonly chain: readonly Related[];
  /** Only on paths where these integer parameters are nonzero (true) or zero (false). */
  readonly when?: readonly { readonly param: number; readonly nonzero: boolean }[];
}

/** Whether a sleep can happen for these arguments: no condition is contradicted by a known value. */
export function sleepApplies(s: SleepInfo, args: readonly { n?: number; nz?: boolean }[]): boolean {
  for (const c of s.when ?? []) {
    const a = args[c.param];
    if (!a) continue;
    const known = a.n !== undefined ? a.n !== 0 : a.nz ? true : undefined;
    if (known !== undefined && known !== c.nonzero) return false;
  }
  return true;
}

export interface FreeInfo {
  /** The callee's object (a symbolic input) that is freed. */
  readonly obj: string;
  readonly span: Span;
  readonly name: string;
  readonly family: AllocFamily | 'any';
  readonly chain: readonly Related[];
}

export interface SumCase {
  readonly ret: Val;
  readonly env: ReadonlyMap<string, Val>;
  readonly facts: ReadonlyMap<string, Facts>;
  readonly lists: ReadonlyMap<string, ListVal>;
  readonly inst: ReadonlyMap<string, readonly string[]>;
  /** Atomic sections entered and not left. */
  readonly acquired: readonly Hold[];
}

export interface Summary {
  readonly fn: string;
  readonly cases: readonly SumCase[];
  /** May sleep on some path that holds nothing of its own (the first such call per condition). */
  readonly sleeps: readonly SleepInfo[];
  /** Sleeps when the caller's gfp argument #i allows direct reclaim. */
  readonly gfpSleep: ReadonlyMap<number, SleepInfo>;
  /** Parameters dereferenced on a path where the callee did not check them (first site). */
  readonly derefs: ReadonlyMap<number, Span>;
  /** Symbolic inputs freed on some path. */
  readonly frees: readonly FreeInfo[];
  /** Locks (or sections) the callee releases without having taken them: the caller's. */
  readonly releases: readonly { readonly rel: ReleaseKind; readonly key: string }[];
  /** Returns nonzero exactly when parameter #i is NULL (IS_ERR_OR_NULL). */
  readonly nullTest?: number;
  readonly symOrigin: ReadonlyMap<string, string>;
  /** Place keys of the parameters, by index. */
  readonly paramKeys: readonly string[];
}

/** True for places that outlive the call: globals and storage reached through pointers. */
export function isNonLocal(place: string): boolean {
  return place.startsWith('g:') || place.charCodeAt(0) === 35;
}

type RetClass = 'zero' | 'nonzero' | 'null' | 'ptr' | 'any';

function retClass(v: Val | undefined): RetClass {
  if (!v) return 'any';
  if (v.t) {
    if (v.t.length === 1 && v.t[0] === NULL_T) return 'null';
    if (!v.t.includes(NULL_T) && v.t.length > 0) return 'ptr';
    return 'any';
  }
  if (v.n === 0) return 'zero';
  if ((v.n !== undefined && v.n !== 0) || v.nz) return 'nonzero';
  return 'any';
}

/**
 * Builds the cases of a summary from the states reaching the function's exit: one case per class
 * of return value, each the join of its states restricted to what a caller can see.
 */
export function buildCases(exits: readonly State[], entryHolds: readonly Hold[], cx: JoinContext): SumCase[] {
  const groups = new Map<RetClass, State[]>();
  for (const s of exits) {
    if (s.dead) continue;
    const c = retClass(s.ret);
    const g = groups.get(c);
    if (g) g.push(s);
    else groups.set(c, [s]);
  }
  let states = [...groups.values()].map((g) => joinAll(g, cx));
  // More than three classes (a function returning 0, -EINVAL and a pointer) are merged into one.
  if (states.length > 3) states = [joinAll(states, cx)];
  return states.map((s) => toCase(s, entryHolds));
}

function toCase(s: State, entryHolds: readonly Hold[]): SumCase {
  const env = new Map<string, Val>();
  for (const [k, v] of s.env) if (isNonLocal(k)) env.set(k, v);
  const lists = new Map<string, ListVal>();
  for (const [k, l] of s.lists) if (isNonLocal(k)) lists.set(k, l);
  // Objects a caller can reach: through non-local places, lists and the return value.
  const visible = new Set<string>();
  const addT = (t: readonly string[] | undefined): void => {
    for (const x of t ?? []) {
      const o = objectOf(x);
      if (o) visible.add(o);
    }
  };
  for (const [k, v] of env) {
    const o = ownerOf(k);
    if (o) visible.add(o);
    addT(v.t);
  }
  for (const l of lists.values()) addT(l.set);
  addT(s.ret?.t);
  const inst = new Map<string, readonly string[]>();
  for (const o of [...visible]) {
    const u = s.inst.get(o);
    if (u) {
      inst.set(o, u);
      addT(u);
    }
  }
  const facts = new Map<string, Facts>();
  for (const [k, f] of s.facts) {
    // Symbolic inputs matter when something happened to them; allocations when the caller can see them.
    if (k.charCodeAt(0) === 115 /* s */) {
      if (f.f !== DEFAULT_FACTS.f || f.esc || f.n !== DEFAULT_FACTS.n) facts.set(k, f);
    } else if (visible.has(k)) facts.set(k, f);
  }
  const acquired = s.holds.filter((h) => !entryHolds.some((e) => e.kind === h.kind && e.key === h.key));
  let ret = s.ret ?? {};
  if (retClass(s.ret) === 'null') {
    // `if (!p) return NULL;`: the NULL is the failed allocation; callers see that object, NULL here.
    const failed = [...s.facts].filter(([k, f]) => k.charCodeAt(0) === 97 && f.n === Nul.Yes);
    if (failed.length === 1) {
      ret = { t: [failed[0][0]] };
      facts.set(failed[0][0], failed[0][1]);
    }
  }
  return { ret, env, facts, lists, inst, acquired };
}

/** Objects of a state that nothing outside the function can reach any more (for leaks). */
export function unreachableObjects(s: State, isRoot: (place: string) => boolean): Set<string> {
  const all = referencedObjects(s);
  for (const k of s.facts.keys()) all.add(k);
  const reach = new Set<string>();
  const stack: string[] = [];
  const mark = (t: readonly string[] | undefined): void => {
    for (const x of t ?? []) {
      const o = objectOf(x);
      if (o && !reach.has(o)) {
        reach.add(o);
        stack.push(o);
      }
    }
  };
  for (const [k, v] of s.env) if (isRoot(k)) mark(v.t);
  for (const [k, l] of s.lists) if (isRoot(k)) mark(l.set);
  mark(s.ret?.t);
  for (const [k, f] of s.facts) if (f.esc) mark([k]);
  // What each object's storage holds, indexed once.
  const inside = new Map<string, (readonly string[] | undefined)[]>();
  const put = (k: string, t: readonly string[] | undefined): void => {
    const o = ownerOf(k);
    if (!o) return;
    const l = inside.get(o);
    if (l) l.push(t);
    else inside.set(o, [t]);
  };
  for (const [k, v] of s.env) put(k, v.t);
  for (const [k, l] of s.lists) put(k, l.set);
  while (stack.length) {
    const o = stack.pop()!;
    for (const t of inside.get(o) ?? []) mark(t);
    mark(s.inst.get(o));
  }
  const out = new Set<string>();
  for (const o of all) if (!reach.has(o)) out.add(o);
  return out;
}

// The abstract state the interpreter carries along each path, and its lattice (join, key).
//
// Memory is a map from places to values. A place is a string key: `l3` (local or parameter #3),
// `g:name` (a global), `#X` (the storage of object X) and `P.member`. A value's `t` lists pointer
// targets: an object id (`a12` allocation site 12, `s4_2` the value a non-local place held at entry,
// `e7` one element read from a list, `0` NULL) or `@P` (the address of place P). Facts about objects
// (may it be NULL, is it freed, did it escape) live beside the map, so every alias sees a check or
// a free at once. Locks and other atomic sections are a stack of holds.
// Invariant: states are never mutated after they enter the solver; `clone` before changing one.

import type { Expr } from '../c/ast';
import type { Related } from '../diag/diagnostic';
import type { Span } from '../source/source';
import type { HoldKind } from './kernelApi';
import { fnv32, PMap } from './pmap';

export const NULL_T = '0';

export interface Val {
  /** Pointer targets, sorted and unique; `0` is NULL. Undefined: not a tracked pointer. */
  readonly t?: readonly string[];
  /** A known integer value. */
  readonly n?: number;
  /** Known to be nonzero. */
  readonly nz?: boolean;
  /** The unchanged value of gfp parameter #g (for "sleeps if the caller passes GFP_KERNEL"). */
  readonly g?: number;
  /** The address of function `f`. */
  readonly f?: string;
  /** The condition this value was computed from (`tmp = !p; if (tmp)`), for branch refinement. */
  readonly c?: Expr;
  /** Read from an array element (`bufs[i]`): one of several objects, so a free is not definite. */
  readonly w?: boolean;
}

export const UNKNOWN: Val = {};
export const NULL_VAL: Val = { t: [NULL_T], n: 0 };

export const enum Nul { Unknown = 0, Maybe = 1, No = 2, Yes = 3 }
export const enum Fr { No = 0, Yes = 1, Maybe = 2 }

export interface Facts {
  readonly n: Nul;
  readonly f: Fr;
  /** Passed to code we cannot see, or stored where we cannot follow: never reported as leaked. */
  readonly esc: boolean;
  readonly freeSite?: Span;
  readonly freeName?: string;
  readonly freeChain?: readonly Related[];
}

export const DEFAULT_FACTS: Facts = { n: Nul.Unknown, f: Fr.No, esc: false };

export interface Hold {
  readonly kind: HoldKind;
  /** The lock's place (`g:evt_lock`, `#s2_0.lock`), or `ctx` for preempt/irq/rcu sections and callbacks. */
  readonly key: string;
  readonly site: Span;
  /** The call that took it, as written: `spin_lock(&lock)`. */
  readonly call: string;
  /** For callback contexts: why the function runs atomically. */
  readonly note?: string;
  readonly chain?: readonly Related[];
}

/** A `list_head` list: unknown entry contents (in a function that did not build it), then `seq` in order when known. */
export interface ListVal {
  readonly entry: boolean;
  readonly seq: readonly string[] | null;
  readonly set: readonly string[];
}

export interface State {
  holds: Hold[];
  env: PMap<Val>;
  facts: PMap<Facts>;
  lists: PMap<ListVal>;
  /** List element instances: the objects each may be. */
  inst: PMap<readonly string[]>;
  /** The value returned on this path (set by `ret` nodes). */
  ret: Val | undefined;
  dead: boolean;
  /** Cached `stateKey`. */
  key?: string;
}

// Values, lists and instance sets are immutable: their hashes are computed once. The memo is the
// one piece of module-level state here; it holds pure results keyed by the objects themselves, so
// it cannot make two analyses differ (and it lets go of objects with them).
const cached = new WeakMap<object, number>();

function cachedHash(o: object, text: () => string): number {
  let h = cached.get(o);
  if (h === undefined) {
    h = fnv32(text());
    cached.set(o, h);
  }
  return h;
}

function valKey(v: Val): string {
  let k = '';
  if (v.t) k += v.t.join(',');
  if (v.n !== undefined) k += `#${v.n}`;
  if (v.nz) k += '#nz';
  if (v.g !== undefined) k += `#g${v.g}`;
  if (v.f !== undefined) k += `#f${v.f}`;
  if (v.c) k += `#c${v.c.span.start}`;
  return k;
}

const hashVal = (v: Val): number => cachedHash(v, () => valKey(v));
const hashFacts = (f: Facts): number => f.n * 16 + f.f * 2 + (f.esc ? 1 : 0) + 1;
const hashList = (l: ListVal): number => cachedHash(l, () => `${l.entry ? 'u' : ''}${l.seq ? l.seq.join(',') : '?'}|${l.set.join(',')}`);
const hashInst = (u: readonly string[]): number => cachedHash(u, () => u.join(','));

export function newEnv(entries: Iterable<readonly [string, Val]> = []): PMap<Val> {
  return PMap.from(hashVal, entries);
}

export function newFacts(entries: Iterable<readonly [string, Facts]> = []): PMap<Facts> {
  return PMap.from(hashFacts, entries);
}

export function newLists(entries: Iterable<readonly [string, ListVal]> = []): PMap<ListVal> {
  return PMap.from(hashList, entries);
}

export function newInst(entries: Iterable<readonly [string, readonly string[]]> = []): PMap<readonly string[]> {
  return PMap.from(hashInst, entries);
}

export function emptyState(): State {
  return { holds: [], env: newEnv(), facts: newFacts(), lists: newLists(), inst: newInst(), ret: undefined, dead: false };
}

/** O(1): the maps share their tries until one side writes. */
export function cloneState(s: State): State {
  return {
    holds: s.holds.slice(),
    env: s.env.clone(),
    facts: s.facts.clone(),
    lists: s.lists.clone(),
    inst: s.inst.clone(),
    ret: s.ret,
    dead: s.dead,
  };
}

/**
 * A canonical key for a state in O(holds): the maps keep order-independent hashes of their entries.
 * Equal states always get equal keys; a collision between different states is vanishingly rare
 * and would only merge two paths.
 */
export function stateKey(s: State): string {
  if (s.key !== undefined) return s.key;
  let hk = 0;
  for (const h of s.holds) hk = (Math.imul(hk ^ fnv32(`${h.kind}:${h.key}`), 16777619) + 1) >>> 0;
  const r = s.ret ? hashVal(s.ret) : 0;
  s.key = `${s.env.hash.toString(36)}.${s.facts.hash.toString(36)}.${s.lists.hash.toString(36)}.${s.inst.hash.toString(36)}.${hk.toString(36)}.${r.toString(36)}.${s.env.size}.${s.facts.size}.${s.lists.size}.${s.inst.size}.${s.holds.length}${s.ret ? 'r' : ''}${s.dead ? 'D' : ''}`;
  return s.key;
}

/** The sorted union of two sorted target lists (one of them returned as is when it covers both). */
export function union(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] | undefined {
  if (!a) return b ? (b as string[]) : undefined;
  if (!b || a === b) return a as string[];
  if (b.length === 0) return a as string[];
  if (a.length === 0) return b as string[];
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (j >= b.length || (i < a.length && x < y)) {
      if (out[out.length - 1] !== x) out.push(x);
      i++;
    } else if (i >= a.length || y < x) {
      if (out[out.length - 1] !== y) out.push(y);
      j++;
    } else {
      if (out[out.length - 1] !== x) out.push(x);
      i++;
      j++;
    }
  }
  if (out.length === a.length) return a as string[];
  if (out.length === b.length) return b as string[];
  return out;
}

export function joinVal(a: Val | undefined, b: Val | undefined): Val {
  if (!a || !b) return UNKNOWN;
  if (a === b) return a;
  // An unknown side adds no targets: a path where the pointer is untracked does not hide the others.
  const t = a.t || b.t ? union(a.t ?? [], b.t ?? []) : undefined;
  const out: { -readonly [K in keyof Val]: Val[K] } = {};
  if (t) out.t = t;
  if (a.n !== undefined && a.n === b.n) out.n = a.n;
  if ((a.nz || (a.n !== undefined && a.n !== 0)) && (b.nz || (b.n !== undefined && b.n !== 0)) && out.n === undefined) out.nz = true;
  if (a.g !== undefined && a.g === b.g) out.g = a.g;
  if (a.f !== undefined && a.f === b.f) out.f = a.f;
  if (a.c && a.c === b.c) out.c = a.c;
  return out;
}

export function joinFacts(a: Facts, b: Facts): Facts {
  if (a === b) return a;
  let n: Nul;
  if (a.n === b.n) n = a.n;
  else if (a.n === Nul.Unknown || b.n === Nul.Unknown) n = Nul.Unknown;
  else n = Nul.Maybe;
  const f = a.f === b.f ? a.f : Fr.Maybe;
  const freeSite = a.freeSite ?? b.freeSite;
  return { n, f, esc: a.esc || b.esc, freeSite, freeName: a.freeName ?? b.freeName, freeChain: a.freeChain ?? b.freeChain };
}

/** What the join needs to know about places and objects that one side has never touched. */
export interface JoinContext {
  /** The value of a place no path has written: the entry value for non-local places, unknown for locals. */
  defaultVal(place: string): Val | undefined;
  /** The facts of an object one path has never seen: undefined if it does not exist there. */
  defaultFacts(obj: string): Facts | undefined;
  defaultList(place: string): ListVal;
}

function joinList(a: ListVal, b: ListVal): ListVal {
  const seq = a.seq && b.seq && a.seq.length === b.seq.length && a.seq.every((x, i) => x === b.seq![i]) ? a.seq : null;
  return { entry: a.entry || b.entry, seq: a.entry === b.entry ? seq : null, set: union(a.set, b.set)! };
}

export function joinStates(a: State, b: State, cx: JoinContext): State {
  if (a.dead) return b;
  if (b.dead) return a;
  // May-held: a lock held on either path is held on some path through the join.
  const holds = a.holds.slice();
  for (const h of b.holds) if (!holds.some((x) => x.kind === h.kind && x.key === h.key)) holds.push(h);
  const env = a.env.merge(b.env, (k, v, w) => {
    if (v && w) return joinVal(v, w);
    const d = cx.defaultVal(k);
    if (v) return d ? joinVal(v, d) : v;
    return d ? joinVal(d, w) : w;
  });
  const facts = a.facts.merge(b.facts, (k, f, g) => {
    if (f && g) return joinFacts(f, g);
    const d = cx.defaultFacts(k);
    if (f) return d ? joinFacts(f, d) : f;
    return d ? joinFacts(d, g!) : g;
  });
  const lists = a.lists.merge(b.lists, (k, l, m) => joinList(l ?? cx.defaultList(k), m ?? cx.defaultList(k)));
  const inst = a.inst.merge(b.inst, (_k, u, v) => (u && v ? (u === v ? u : union(u, v)!) : u ?? v));
  return { holds, env, facts, lists, inst, ret: a.ret && b.ret ? joinVal(a.ret, b.ret) : a.ret ?? b.ret, dead: false };
}

/**
 * The join of many states, pairwise like a tournament: neighbouring paths share most of their
 * structure, so each join only pays for what differs.
 */
export function joinAll(states: readonly State[], cx: JoinContext): State {
  let level = states.slice();
  while (level.length > 1) {
    const next: State[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? joinStates(level[i], level[i + 1], cx) : level[i]);
    level = next;
  }
  return level[0];
}

/** Where an object id ends inside a place or target: at the first `.` (member) or `[` (element). */
export function idEnd(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 || c === 91) return i;
  }
  return s.length;
}

/** The object a target points into: `a12` for `a12` and `@#a12.node`; undefined for named places. */
export function objectOf(target: string): string | undefined {
  if (target === NULL_T) return undefined;
  if (target.charCodeAt(0) !== 64 /* @ */) return target;
  if (target.charCodeAt(1) !== 35 /* # */) return undefined;
  return target.slice(2, idEnd(target, 2));
}

/** The place a target designates when dereferenced. */
export function derefTarget(target: string): string | undefined {
  if (target === NULL_T) return undefined;
  if (target.charCodeAt(0) === 64) return target.slice(1);
  return `#${target}`;
}

/** The address of a place as a target (`#a12` → `a12`, `g:x.y` → `@g:x.y`). */
export function addressOf(place: string): string {
  if (place.charCodeAt(0) === 35 && idEnd(place, 1) === place.length) return place.slice(1);
  return `@${place}`;
}

/** The object whose storage holds a place (`#a12.buf`, `#a12[]` → `a12`), if it is heap or symbolic storage. */
export function ownerOf(place: string): string | undefined {
  if (place.charCodeAt(0) !== 35) return undefined;
  return place.slice(1, idEnd(place, 1));
}

/** Every object id a state refers to (from places, values, lists and instances). */
export function referencedObjects(s: State): Set<string> {
  const out = new Set<string>();
  const addT = (t: readonly string[] | undefined): void => {
    if (!t) return;
    for (const x of t) {
      const o = objectOf(x);
      if (o) out.add(o);
    }
  };
  for (const [k, v] of s.env) {
    const o = ownerOf(k);
    if (o) out.add(o);
    addT(v.t);
  }
  for (const l of s.lists.values()) addT(l.set);
  for (const [k, u] of s.inst) {
    out.add(k);
    addT(u);
  }
  if (s.ret) addT(s.ret.t);
  return out;
}

/** Renames object `from` to `to` everywhere in `s` (in place): allocation sites re-executed in a loop. */
export function renameObject(s: State, from: string, to: string): void {
  const rt = (x: string): string => {
    if (x === from) return to;
    if (x.startsWith(`@#${from}`) && idEnd(x, 2) === from.length + 2) return `@#${to}${x.slice(from.length + 2)}`;
    return x;
  };
  const rv = (v: Val): Val => (v.t && v.t.some((x) => rt(x) !== x) ? { ...v, t: [...new Set(v.t.map(rt))].sort() } : v);
  const rp = (p: string): string => (p.startsWith(`#${from}`) && idEnd(p, 1) === from.length + 1 ? `#${to}${p.slice(from.length + 1)}` : p);
  // Only the entries that mention `from` change; the scan reads, the updates copy paths only.
  const envHits: [string, Val][] = [];
  s.env.forEach((v, k) => {
    if (rp(k) !== k || rv(v) !== v) envHits.push([k, v]);
  });
  for (const [k] of envHits) s.env.delete(k);
  for (const [k, v] of envHits) {
    const nk = rp(k);
    const nv = rv(v);
    const old = s.env.get(nk);
    s.env.set(nk, old ? joinVal(old, nv) : nv);
  }
  const ff = s.facts.get(from);
  if (ff) {
    s.facts.delete(from);
    const old = s.facts.get(to);
    s.facts.set(to, old ? joinFacts(old, ff) : ff);
  }
  const listHits: [string, ListVal][] = [];
  s.lists.forEach((l, k) => {
    if (rp(k) !== k || l.set.some((x) => rt(x) !== x)) listHits.push([k, l]);
  });
  for (const [k] of listHits) s.lists.delete(k);
  for (const [k, l] of listHits) s.lists.set(rp(k), { entry: l.entry, seq: l.seq ? l.seq.map(rt) : null, set: [...new Set(l.set.map(rt))].sort() });
  const instHits: [string, readonly string[]][] = [];
  s.inst.forEach((u, k) => {
    if (k === from || u.some((x) => rt(x) !== x)) instHits.push([k, u]);
  });
  for (const [k] of instHits) s.inst.delete(k);
  for (const [k, u] of instHits) s.inst.set(k === from ? to : k, [...new Set(u.map(rt))].sort());
  if (s.ret) s.ret = rv(s.ret);
  s.key = undefined;
}

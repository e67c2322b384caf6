// Runs the interpreter over every function of a module, callees first, and keeps what the checks
// need: each function's events and exit states, its summary, and the state the module's globals
// are in when module exit runs (what init left behind on success, plus whatever the module's other
// entry points may store). One call builds one ModuleResult; nothing is kept between calls.

import type { Expr, Func, TranslationUnit } from '../c/ast';
import type { Related } from '../diag/diagnostic';
import type { CallGraph, FnContext } from './callgraph';
import { buildCallGraph } from './callgraph';
import { buildCfg } from './cfg';
import type { SolveOptions } from './dataflow';
import { solve } from './dataflow';
import type { AllocSite, Event, ModuleCtx, Via } from './interp';
import { FnInterp } from './interp';
import { isAtomicHold } from './kernelApi';
import type { Hold, ListVal, State, Val } from './state';
import { cloneState, joinAll, joinFacts, joinVal, objectOf, ownerOf, referencedObjects, union } from './state';
import type { FreeInfo, ReleaseKind, SleepInfo, Summary } from './summary';
import { buildCases, sleepApplies } from './summary';

export interface FnResult {
  readonly fn: Func;
  readonly ip: FnInterp;
  readonly events: readonly Event[];
  readonly exits: readonly State[];
  readonly context: FnContext | undefined;
  readonly complete: boolean;
}

export interface ModuleResult {
  readonly cg: CallGraph;
  readonly mod: ModuleCtx;
  readonly results: ReadonlyMap<string, FnResult>;
  /** Allocation objects each global place (and global list) may hold at some function's end. */
  readonly globalStores: ReadonlyMap<string, ReadonlySet<string>>;
  readonly site: (obj: string) => AllocSite | undefined;
  /** Milliseconds spent per function (fixpoint, report pass and summary), for the benchmark. */
  readonly timings: ReadonlyMap<string, number>;
}

export const DEFAULT_LIMITS: SolveOptions = { maxStates: 6, maxVisits: 24, budget: 60000 };

/** The holds a callback starts with: its registration makes the whole body atomic. */
function contextHolds(c: FnContext | undefined): Hold[] {
  if (!c || c.context === 'process') return [];
  return [{ kind: 'callback', key: 'ctx', site: c.site, call: c.note, note: c.note }];
}

export function analyzeModule(unit: TranslationUnit, limits: SolveOptions, debug: (msg: string) => void, now?: () => number): ModuleResult {
  const cg = buildCallGraph(unit, debug);
  const mod: ModuleCtx = {
    summaries: new Map(),
    sites: new Map(),
    siteById: new Map(),
    readSites: new Map(),
    cfgs: new WeakMap(),
    funcs: cg.funcs,
    limits,
    counters: { site: 0, read: 0 },
  };
  const results = new Map<string, FnResult>();
  const timings = new Map<string, number>();
  cg.order.forEach((f, idx) => {
    try {
      const t0 = now?.() ?? 0;
      const r = analyzeFunction(f, idx, mod, cg, results, now ? (phase, ms) => timings.set(`${f.name}:${phase}`, ms) : undefined, now);
      results.set(f.name, r);
      const t1 = now?.() ?? 0;
      mod.summaries.set(f.name, summarize(r));
      if (now) {
        timings.set(`${f.name}:summary`, now() - t1);
        timings.set(f.name, now() - t0);
      }
    } catch (e) {
      debug(`internal: analysis of ${f.name}() failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  });
  const globalStores = new Map<string, Set<string>>();
  const add = (place: string, t: readonly string[] | undefined): void => {
    for (const x of t ?? []) {
      const o = objectOf(x);
      if (!o || o.charCodeAt(0) !== 97) continue;
      let s = globalStores.get(place);
      if (!s) globalStores.set(place, (s = new Set()));
      s.add(o);
    }
  };
  for (const r of results.values()) {
    for (const s of r.exits) {
      for (const [k, v] of s.env) if (k.startsWith('g:')) add(k, v.t);
      for (const [k, l] of s.lists) if (k.startsWith('g:')) add(`list:${k}`, l.set);
    }
  }
  const site = function siteOf(obj: string): AllocSite | undefined {
    // Older generations (`a12o`) share their allocation site.
    let end = obj.length;
    while (end > 1 && obj.charCodeAt(end - 1) === 111 /* o */) end--;
    return mod.siteById.get(end === obj.length ? obj : obj.slice(0, end));
  };
  return { cg, mod, results, globalStores, site, timings };
}

function analyzeFunction(
  f: Func, idx: number, mod: ModuleCtx, cg: CallGraph, results: ReadonlyMap<string, FnResult>,
  phase?: (name: string, ms: number) => void, now?: () => number,
): FnResult {
  const context = cg.contexts.get(f.name);
  const ip = new FnInterp(mod, f, idx);
  let t = now?.() ?? 0;
  const lap = (name: string): void => {
    if (!now || !phase) return;
    const n = now();
    phase(name, n - t);
    t = n;
  };
  let entry = ip.entryState(contextHolds(context));
  if (f.name === cg.exit) entry = exitEntry(entry, cg, results);
  const cfg = buildCfg(f);
  lap('entry');
  // Events are recorded while solving, per (node, state); only those of the states that survive
  // in the fixpoint are kept, so no second pass over the graph is needed.
  const recorded = new Map<number, Map<State, Event[]>>();
  const sol = solve(cfg, [entry], ip.lattice, function recordTransfer(n, id, s) {
    ip.events = [];
    ip.reporting = true;
    const out = ip.transfer(n, id, s);
    ip.reporting = false;
    let m = recorded.get(id);
    if (!m) recorded.set(id, (m = new Map()));
    m.set(s, ip.events);
    return out;
  }, mod.limits);
  lap('solve');
  const events: Event[] = [];
  for (const [id, states] of sol.states) {
    if (id === cfg.exit) continue;
    for (const s of states) {
      const got = recorded.get(id)?.get(s);
      if (got) {
        events.push(...got);
        continue;
      }
      // Not processed (the work budget ran out): record it now.
      ip.events = [];
      ip.reporting = true;
      ip.transfer(cfg.nodes[id], id, s);
      ip.reporting = false;
      events.push(...ip.events);
    }
  }
  ip.events = events;
  lap('report');
  const exits = (sol.states.get(cfg.exit) ?? []).filter((s) => !s.dead);
  return { fn: f, ip, events, exits, context, complete: sol.complete };
}

function isErrorReturn(v: Val | undefined): boolean {
  if (!v) return false;
  return (v.n !== undefined && v.n !== 0) || v.nz === true;
}

/**
 * Module exit starts where the module's life left its globals: init's successful returns, joined
 * with what any other function may have stored in a global by the time it returned.
 */
function exitEntry(entry: State, cg: CallGraph, results: ReadonlyMap<string, FnResult>): State {
  const s = cloneState(entry);
  const keepT = (t: readonly string[] | undefined): string[] | undefined => t?.filter((x) => {
    const o = objectOf(x);
    return o === undefined || o.charCodeAt(0) === 97 || o.charCodeAt(0) === 101;
  });
  const absorb = function absorb(st: State, weak: boolean): void {
    // The objects this state leaves in globals: only their facts matter (the same object may be
    // NULL on another path of the same function that did not store it).
    const mine = new Set<string>();
    const note = (t: readonly string[] | undefined): void => {
      for (const x of t ?? []) {
        const o = objectOf(x);
        if (o) mine.add(o);
      }
    };
    for (const [k, v] of st.env) {
      if (!k.startsWith('g:') && !(k.charCodeAt(0) === 35 && (k.charCodeAt(1) === 97))) continue;
      const t = keepT(v.t);
      if (!t || t.length === 0) continue;
      note(t);
      const nv: Val = { t };
      const old = s.env.get(k);
      s.env.set(k, old ? joinVal(old, nv) : weak ? { t } : nv);
    }
    for (const [k, u] of st.inst) s.inst.set(k, union(s.inst.get(k), u.filter((x) => x.charCodeAt(0) === 97))!);
    for (const [k, l] of st.lists) {
      if (!k.startsWith('g:') && !(k.charCodeAt(0) === 35 && k.charCodeAt(1) === 97)) continue;
      const set = (keepT(l.set) ?? []).filter((x) => objectOf(x) !== undefined);
      note(set);
      const old = s.lists.get(k);
      const nl: ListVal = { entry: false, seq: !weak && !l.entry && l.seq ? l.seq : null, set };
      s.lists.set(k, old ? { entry: false, seq: null, set: union(old.set, set)! } : nl);
    }
    // Objects reached through the fields of those (`#a1.buf`) are left behind too.
    const byOwner = new Map<string, string[]>();
    st.env.forEach((v, k) => {
      const o = ownerOf(k);
      if (o && v.t) byOwner.set(o, [...(byOwner.get(o) ?? []), ...v.t]);
    });
    const stack = [...mine];
    while (stack.length) {
      for (const x of byOwner.get(stack.pop()!) ?? []) {
        const o = objectOf(x);
        if (o && !mine.has(o)) {
          mine.add(o);
          stack.push(o);
        }
      }
    }
    absorbed.push({ st, mine });
  };
  const absorbed: { st: State; mine: Set<string> }[] = [];
  const init = cg.init ? results.get(cg.init) : undefined;
  if (init) {
    const ok = init.exits.filter((x) => !isErrorReturn(x.ret));
    if (ok.length) absorb(joinAll(ok, init.ip.joinCx), false);
  }
  for (const [name, r] of results) {
    if (name === cg.init || name === cg.exit || r.fn.fromHeader) continue;
    for (const st of r.exits) absorb(st, true);
  }
  // Facts only for the objects the globals now refer to, gathered once.
  const used = referencedObjects(s);
  for (const { st, mine } of absorbed) {
    for (const [k, f] of st.facts) {
      if ((k.charCodeAt(0) !== 97 && k.charCodeAt(0) !== 101) || !used.has(k)) continue;
      if (!mine.has(k)) continue;
      const old = s.facts.get(k);
      s.facts.set(k, old ? joinFacts(old, f) : f);
    }
  }
  s.key = undefined;
  return s;
}

/** The summary of an analyzed function, for its callers. */
function summarize(r: FnResult): Summary {
  const ip = r.ip;
  const entryHolds = r.context ? contextHolds(r.context) : [];
  const cases = buildCases(r.exits, entryHolds, ip.joinCx);
  const sleeps: SleepInfo[] = [];
  const addSleep = (s: SleepInfo): void => {
    const key = JSON.stringify(s.when ?? []);
    if (!sleeps.some((x) => JSON.stringify(x.when ?? []) === key)) sleeps.push(s);
  };
  const gfpSleep = new Map<number, SleepInfo>();
  const derefs = new Map<number, import('../source/source').Span>();
  const frees: FreeInfo[] = [];
  const releases: { rel: ReleaseKind; key: string }[] = [];
  const seenFree = new Set<string>();
  const byPos = [...r.events].sort(function byPosition(a, b) {
    return spanOf(a) - spanOf(b);
  });
  for (const ev of byPos) {
    if (ev.k === 'call') {
      if (ev.holds.some((h) => isAtomicHold(h.kind))) continue;
      const own = ip.sleepOf(ev);
      let info: SleepInfo | undefined = own.always;
      if (own.gfpParam !== undefined && !gfpSleep.has(own.gfpParam)) gfpSleep.set(own.gfpParam, { span: ev.span, call: ev.text, chain: [] });
      const sum = ev.sum;
      const inner = sum?.sleeps.find((x) => sleepApplies(x, ev.args));
      if (!info && inner) info = { span: ev.span, call: ev.text, chain: [rel(inner, ev.name), ...inner.chain] };
      if (sum) {
        for (const [i, gs] of sum.gfpSleep) {
          const a = ev.args[i];
          if (a?.n !== undefined && (a.n & 0x400) !== 0 && !info) info = { span: ev.span, call: ev.text, chain: [rel(gs, ev.name), ...gs.chain] };
          if (a?.g !== undefined && !gfpSleep.has(a.g)) gfpSleep.set(a.g, { span: ev.span, call: ev.text, chain: [rel(gs, ev.name), ...gs.chain] });
        }
      }
      if (info) {
        // A sleep on a path that knows the function's own flags only happens for those flags.
        const when = (ev.params ?? []).map((b, param) => (b === undefined ? undefined : { param, nonzero: b })).filter((x): x is { param: number; nonzero: boolean } => x !== undefined);
        addSleep(when.length ? { ...info, when } : info);
      }
    } else if (ev.k === 'release') {
      if (!releases.some((x) => x.rel === ev.rel && x.key === ev.key)) releases.push({ rel: ev.rel, key: ev.key });
    } else if (ev.k === 'deref') {
      if (ev.obj.charCodeAt(0) !== 115 || ev.facts.n !== 0 /* Unknown */) continue;
      const origin = ip.symOrigin.get(ev.obj);
      const pi = origin !== undefined ? ip.paramKeys.indexOf(origin) : -1;
      if (pi >= 0 && !derefs.has(pi)) derefs.set(pi, ev.via ? ev.via.inner : ev.span);
    } else if (ev.k === 'free') {
      if (ev.obj.charCodeAt(0) !== 115) continue;
      const span = ev.via ? ev.via.inner : ev.span;
      const key = `${ev.obj}@${span.start}`;
      if (seenFree.has(key)) continue;
      seenFree.add(key);
      frees.push({ obj: ev.obj, span, name: ev.name, family: ev.family, chain: ev.via ? viaRelated(ev.via, r.fn.name) : [] });
    }
  }
  return {
    fn: r.fn.name,
    cases,
    sleeps: sleeps.some((x) => !x.when) ? [sleeps.find((x) => !x.when)!] : sleeps,
    gfpSleep,
    derefs,
    frees,
    releases,
    nullTest: nullTestParam(r.fn),
    symOrigin: ip.symOrigin,
    paramKeys: ip.paramKeys,
  };
}

function rel(s: SleepInfo, callee: string): Related {
  return { span: s.span, message: `${s.call} in ${callee}() may sleep` };
}

function viaRelated(via: Via, caller: string): Related[] {
  void caller;
  return [{ span: via.callSpan, message: `${via.callee}() called here` }, ...via.chain];
}

function spanOf(ev: Event): number {
  switch (ev.k) {
    case 'alloc': return ev.site.span.start;
    case 'release': return 0;
    case 'overwrite': return ev.span.start;
    default: return ev.span.start;
  }
}

/** `return !p;`, `return p == NULL;`, `return unlikely(!p) || ...;`: true exactly when parameter p is NULL. */
function nullTestParam(f: Func): number | undefined {
  const body = f.body;
  if (!body || body.stmts.length !== 1) return undefined;
  const s = body.stmts[0];
  if (s.k !== 'return' || !s.e) return undefined;
  const test = (e: Expr): number | undefined => {
    while (e.k === 'cast') e = e.e;
    if (e.k === 'unary' && e.op === '!') {
      let x = e.e;
      while (x.k === 'cast') x = x.e;
      // `!!y` has the truth of y (unlikely() leaves `!!(!p)` behind).
      if (x.k === 'unary' && x.op === '!') return test(x.e);
      if (x.k === 'var') {
        const i = f.params.indexOf(x.v);
        return i >= 0 ? i : undefined;
      }
      return undefined;
    }
    if (e.k === 'binary' && e.op === '==') {
      const z = (y: Expr): boolean => {
        while (y.k === 'cast') y = y.e;
        return y.k === 'num' && Number(y.value) === 0;
      };
      let o = z(e.r) ? e.l : z(e.l) ? e.r : undefined;
      if (!o) return undefined;
      while (o.k === 'cast') o = o.e;
      if (o.k === 'var') {
        const i = f.params.indexOf(o.v);
        return i >= 0 ? i : undefined;
      }
      return undefined;
    }
    if (e.k === 'logical' && e.op === '||') return test(e.l) ?? test(e.r);
    return undefined;
  };
  return test(s.e);
}

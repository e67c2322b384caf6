// The worklist solver shared by every check. States are disjunctive: each node keeps up to
// `maxStates` distinct states (one per path class, so a lock taken under `if (shared)` and released
// under the same test stays correlated), and collapses them into their join beyond that or after
// `maxVisits` visits, which keeps the iteration monotone and finite. The transfer function is the
// abstract interpreter (interp.ts); the solver knows nothing about C.
// Invariant: the solver never throws on its own; a work budget ends runaway analyses with
// `complete: false` and whatever states were reached.

import type { Cfg, CfgNode } from './cfg';

export interface Lattice<S> {
  /** A canonical string: equal keys mean equal states. */
  key(s: S): string;
  join(a: S, b: S): S;
}

/** Outgoing states of one node: `[successor index, state]` pairs. */
export type Transfer<S> = (node: CfgNode, id: number, s: S) => Iterable<readonly [number, S]>;

export interface SolveOptions {
  readonly maxStates: number;
  readonly maxVisits: number;
  /** Transfer-function calls allowed before giving up. */
  readonly budget: number;
}

export interface Solution<S> {
  /** The states reaching each node (final, after collapsing). */
  readonly states: ReadonlyMap<number, readonly S[]>;
  readonly complete: boolean;
  readonly steps: number;
}

interface NodeStates<S> {
  states: S[];
  keys: Set<string>;
  done: Set<string>;
  doneObjs: Set<S>;
  collapsed: boolean;
  visits: number;
}

export function solve<S>(cfg: Cfg, entry: readonly S[], lat: Lattice<S>, transfer: Transfer<S>, opts: SolveOptions): Solution<S> {
  const at = new Map<number, NodeStates<S>>();
  // Only join points (several predecessors, loop heads) need duplicate states filtered out: a node
  // with one predecessor receives each of its states once.
  const preds = new Uint32Array(cfg.nodes.length);
  for (const n of cfg.nodes) for (const t of n.succ) if (t < preds.length) preds[t]++;
  preds[cfg.entry]++;
  const work: number[] = [];
  const queued = new Set<number>();
  let steps = 0;

  const push = (id: number, s: S): void => {
    let ns = at.get(id);
    if (!ns) {
      ns = { states: [], keys: new Set(), done: new Set(), doneObjs: new Set(), collapsed: false, visits: 0 };
      at.set(id, ns);
    }
    if (ns.collapsed) {
      const j = lat.join(ns.states[0], s);
      const k = lat.key(j);
      if (ns.keys.has(k)) return;
      ns.states = [j];
      ns.keys = new Set([k]);
    } else if (preds[id] <= 1) {
      ns.states.push(s);
      if (ns.states.length > opts.maxStates || ns.visits > opts.maxVisits) collapse(ns);
    } else if (id === cfg.exit) {
      // The exit is never processed: keep each returning path apart (summaries group them by
      // return value), without paying for a join per return.
      const k = lat.key(s);
      if (ns.keys.has(k)) return;
      ns.states.push(s);
      ns.keys.add(k);
      if (ns.states.length > 64 * opts.maxStates) collapse(ns);
      return;
    } else {
      const k = lat.key(s);
      if (ns.keys.has(k)) return;
      ns.states.push(s);
      ns.keys.add(k);
      if (ns.states.length > opts.maxStates || ns.visits > opts.maxVisits) collapse(ns);
    }
    if (!queued.has(id)) {
      queued.add(id);
      work.push(id);
    }
  };

  const collapse = (ns: NodeStates<S>): void => {
    let j = ns.states[0];
    for (let i = 1; i < ns.states.length; i++) j = lat.join(j, ns.states[i]);
    ns.states = [j];
    ns.keys = new Set([lat.key(j)]);
    ns.collapsed = true;
  };

  for (const s of entry) push(cfg.entry, s);
  let complete = true;
  while (work.length) {
    // Process in node order where possible: a LIFO over a backwards-built graph visits loop
    // bodies before their exits, which converges in few rounds.
    const id = work.pop()!;
    queued.delete(id);
    const ns = at.get(id)!;
    ns.visits++;
    if (!ns.collapsed && ns.visits > opts.maxVisits && ns.states.length > 1) collapse(ns);
    const node = cfg.nodes[id];
    for (const s of ns.states) {
      if (ns.doneObjs.has(s)) continue;
      ns.doneObjs.add(s);
      if (preds[id] > 1 || ns.collapsed) {
        const k = lat.key(s);
        if (ns.done.has(k)) continue;
        ns.done.add(k);
      }
      if (++steps > opts.budget) {
        complete = false;
        break;
      }
      for (const [i, out] of transfer(node, id, s)) {
        const to = node.succ[i];
        if (to !== undefined) push(to, out);
      }
    }
    if (!complete) break;
  }
  const states = new Map<number, readonly S[]>();
  for (const [id, ns] of at) states.set(id, ns.states);
  return { states, complete, steps };
}

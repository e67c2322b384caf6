// Rule `leak` (KM3004): memory still owned when nothing can free it any more.
// - On a return: an allocation of this function (or one a helper returned to it) that is neither
//   freed, nor reachable from a global, a parameter's storage or the return value, nor handed to
//   code we cannot see (a kernel function that may keep it). Typically an error path.
// - At module exit: an allocation still reachable from a global (or global list) when exit returns,
//   unless some function of the module frees that global (a release() the kernel calls).
// - A handler that can run again (a file operation, a callback) storing new memory in a global that
//   already holds memory, without freeing the old block.
// - `p = krealloc(p, ...)`: when krealloc() fails the only pointer to the old block is overwritten.
// The finding stands on the allocation line; related information names the return that loses it.

import type { Diagnostic } from '../diag/diagnostic';
import type { Span } from '../source/source';
import type { FnResult, ModuleResult } from './module';
import { Dedupe, finding, lineOf, RULES, siteDesc, studentFunctions } from './report';
import { Fr, Nul, objectOf } from './state';
import type { State } from './state';
import { unreachableObjects } from './summary';

function isError(s: State): boolean {
  const v = s.ret;
  return !!v && ((v.n !== undefined && v.n !== 0) || v.nz === true);
}

function owned(s: State, o: string, m: ModuleResult): boolean {
  if (o.charCodeAt(0) !== 97) return false;
  const f = s.facts.get(o);
  if (!f || f.f !== Fr.No || f.esc || f.n === Nul.Yes) return false;
  const site = m.site(o);
  return !!site?.family && site.family !== 'devm';
}

export function checkLeak(m: ModuleResult): Diagnostic[] {
  const d = new Dedupe();
  for (const r of studentFunctions(m)) {
    for (const ev of r.events) {
      if (ev.k !== 'realloc-self') continue;
      d.add(`realloc:${ev.span.start}`, finding(RULES.leak, ev.span,
        `if ${ev.name}() fails it returns NULL and leaves the old block allocated, but '${ev.target}' is overwritten with NULL: the old block leaks. Assign the result to a temporary and check it first`));
    }
  }
  for (const r of studentFunctions(m)) {
    const isInit = r.fn.name === m.cg.init;
    // Per return statement: an object freed on some path to it (a cleanup loop that ran) is handled.
    const byReturn = new Map<number, { span: Span; states: State[] }>();
    for (const ev of r.events) {
      if (ev.k !== 'exit') continue;
      const g = byReturn.get(ev.span.start) ?? { span: ev.span, states: [] };
      g.states.push(ev.state);
      byReturn.set(ev.span.start, g);
    }
    for (const { span, states } of byReturn.values()) {
      const freedSomewhere = new Set<string>();
      for (const s of states) for (const [o, f] of s.facts) if (f.f !== Fr.No) freedSomewhere.add(o);
      for (const s of states) {
        // What a failed init left in globals is lost too (exit never runs), but the kernel's own
        // modules rarely unwind that far; only memory nothing points to any more is reported.
        const unreachable = unreachableObjects(s, (p) => r.ip.isRootPlace(p));
        for (const o of unreachable) {
          if (!owned(s, o, m) || freedSomewhere.has(o)) continue;
          report(d, m, r, o, span, isInit && isError(s) ? 'when init fails' : undefined);
        }
      }
    }
  }
  // A handler that can run again (a file operation, a callback, a function the kernel can call)
  // storing new memory in a global that already held memory loses the old block.
  const again = repeatable(m);
  for (const r of studentFunctions(m)) {
    if (!again.has(r.fn.name)) continue;
    for (const ev of r.events) {
      if (ev.k !== 'overwrite') continue;
      const held = [...(m.globalStores.get(ev.place) ?? [])].map((o) => m.site(o)).filter((x) => x?.family && x.family !== 'devm');
      if (held.length === 0) continue;
      const fresh = (ev.value.t ?? []).map((t) => m.site(t)).find((x) => x !== undefined);
      const at = fresh && !fresh.span.file.isVirtual && fresh.fn === r.fn.name ? fresh.span : ev.span;
      const name = ev.place.slice(2);
      d.add(`over:${ev.place}:${at.start}`, finding(RULES.leak, at,
        `'${name}' gets new memory here without freeing what it held: ${r.fn.name}() can run more than once, and the block from the previous call (${siteDesc(held[0]!, r.fn.name)}) leaks`,
        [{ span: held[0]!.span, message: `the previous block was allocated here` }]));
    }
  }
  const exit = m.cg.exit ? m.results.get(m.cg.exit) : undefined;
  // Globals (and global lists) some function of the module frees: a remove() or release()
  // callback the kernel calls before exit may free them; only memory nothing frees is reported.
  const freedSomewhereGlobal = new Set<string>();
  for (const r of m.results.values()) {
    for (const ev of r.events) {
      if (ev.k !== 'free' || ev.obj.charCodeAt(0) !== 115) continue;
      const origin = r.ip.symOrigin.get(ev.obj);
      if (origin) freedSomewhereGlobal.add(origin.replace(/^list:/, ''));
    }
  }
  if (exit) {
    const exits = exit.events.filter((e): e is Extract<typeof e, { k: 'exit' }> => e.k === 'exit');
    const freedSomewhere = new Set<string>();
    for (const ev of exits) for (const [o, f] of ev.state.facts) if (f.f !== Fr.No) freedSomewhere.add(o);
    for (const ev of exits) {
      const s = ev.state;
      const unreachable = unreachableObjects(s, (p) => exit.ip.isRootPlace(p));
      const holders = new Map<string, string[]>();
      const hold = (k: string, t: readonly string[] | undefined): void => {
        for (const x of t ?? []) {
          const o = objectOf(x);
          if (o) holders.set(o, [...(holders.get(o) ?? []), k]);
        }
      };
      s.env.forEach((v, k) => hold(k, v.t));
      s.lists.forEach((l, k) => hold(k, l.set));
      for (const o of s.facts.keys()) {
        if (unreachable.has(o) || !owned(s, o, m) || freedSomewhere.has(o)) continue;
        if ((holders.get(o) ?? []).some((k) => freedSomewhereGlobal.has(k))) continue;
        const site = m.site(o);
        if (!site) continue;
        d.add(`exit:${site.id}`, finding(RULES.leak, site.span,
          `memory from ${siteDesc(site, undefined)} is never freed: it is still allocated when ${exit.fn.name}() returns and the module is gone`,
          [{ span: ev.span, message: `${exit.fn.name}() returns here without freeing it` }]));
      }
    }
  }
  return d.out;
}

function report(d: Dedupe, m: ModuleResult, r: FnResult, o: string, ret: Span, why: string | undefined): void {
  const site = m.site(o);
  if (!site) return;
  const made = r.ip.madeAt.get(o.replace(/o+$/, '')) ?? site.span;
  const at = made.file.isVirtual ? ret : made;
  const via = made !== site.span ? ` (${siteDesc(site, r.fn.name)})` : '';
  const message = `memory allocated here${via} leaks: ${r.fn.name}() returns at line ${lineOf(ret)} ${why ? `${why} ` : ''}without freeing it or storing it anywhere`;
  d.add(`${at.start}:${site.id.replace(/o+$/, '')}`, finding(RULES.leak, at, message, [{ span: ret, message: 'returns here without freeing it' }]));
}

/** Functions that may run more than once: callbacks and other entry points, and what they call. */
function repeatable(m: ModuleResult): Set<string> {
  const out = new Set<string>();
  for (const f of m.cg.funcs.values()) {
    if (f.fromHeader || f.name === m.cg.init || f.name === m.cg.exit) continue;
    const callers = m.cg.callers.get(f.name);
    if (m.cg.contexts.has(f.name) || m.cg.addressTaken.has(f.name) || (!f.isStatic && !(callers && callers.size))) out.add(f.name);
  }
  const stack = [...out];
  while (stack.length) {
    for (const c of m.cg.callees.get(stack.pop()!) ?? []) {
      if (!out.has(c) && c !== m.cg.init && c !== m.cg.exit) {
        out.add(c);
        stack.push(c);
      }
    }
  }
  return out;
}

// Rule `free-mismatch` (KM3003): memory released by the free function of another allocator —
// kfree() of vmalloc() or kvmalloc() memory, vfree() of kmalloc() memory, kfree() of a
// kmem_cache_alloc() object (Linux 6.1), kmem_cache_free() of kmalloc() memory. kvfree() accepts
// kmalloc, vmalloc and kvmalloc memory. The allocation family travels with the object through
// locals, globals, struct fields, helper returns and list_head lists; frees of a global or list
// that a function did not fill itself are matched against what the rest of the module stores there.

import type { Diagnostic, Fix, Related } from '../diag/diagnostic';
import type { Span } from '../source/source';
import { renameCallFix } from './fixes';
import type { AllocSite, Event } from './interp';
import { FAMILY_NAME, freeAccepts, MATCHING_FREE } from './kernelApi';
import type { ModuleResult } from './module';
import { Dedupe, finding, RULES, siteDesc, studentFunctions } from './report';

function freeSpan(ev: Extract<Event, { k: 'free' }>): Span {
  if (ev.via && !ev.via.inner.file.isVirtual) return ev.via.inner;
  return ev.span;
}

function report(d: Dedupe, ev: Extract<Event, { k: 'free' }>, site: AllocSite, fn: string, extra: Related[]): void {
  const fam = site.family!;
  const at = freeSpan(ev);
  const right = MATCHING_FREE[fam];
  const alt = right !== 'kvfree' && (fam === 'kmalloc' || fam === 'vmalloc') ? ' (or kvfree())' : '';
  const message = `${ev.name}() frees memory from ${siteDesc(site, fn)}, which must be freed with ${right}()${alt}; ${FAMILY_NAME[fam]} memory is not ${ev.name}()'s to free`;
  const related: Related[] = [{ span: site.span, message: `allocated with ${site.name}() here` }, ...extra];
  if (ev.via) related.push(...ev.via.chain, { span: ev.via.callSpan, message: `${ev.via.callee}() called here` });
  const fixes: Fix[] = [];
  const single = (n: string): boolean => n === 'kfree' || n === 'vfree' || n === 'kvfree' || n === 'kfree_sensitive';
  if (single(ev.name) && single(right)) {
    const fx = renameCallFix(at, ev.name, right, `Free with ${right}()`);
    if (fx) fixes.push(fx);
    if (right !== 'kvfree') {
      const kv = renameCallFix(at, ev.name, 'kvfree', 'Free with kvfree() (right for kmalloc and vmalloc memory)');
      if (kv) fixes.push(kv);
    }
  }
  d.add(`${at.start}:${site.id.replace(/o+$/, '')}`, finding(RULES.freeMismatch, at, message, related, fixes));
}

export function checkFreeMismatch(m: ModuleResult): Diagnostic[] {
  const d = new Dedupe();
  for (const r of studentFunctions(m)) {
    for (const ev of r.events) {
      if (ev.k !== 'free') continue;
      const c = ev.obj.charCodeAt(0);
      if (c === 97 /* a */) {
        const site = m.site(ev.obj);
        if (site?.family && !freeAccepts(ev.family, site.family)) report(d, ev, site, r.fn.name, []);
      } else if (c === 115 /* s */) {
        // A global (or a global list) this function did not fill: what does the module store there?
        const origin = r.ip.symOrigin.get(ev.obj);
        if (!origin) continue;
        const key = origin.startsWith('list:') ? origin : origin.startsWith('g:') ? origin : undefined;
        if (!key || !(key.startsWith('g:') || key.startsWith('list:g:'))) continue;
        for (const o of m.globalStores.get(key) ?? []) {
          const site = m.site(o);
          if (site?.family && !freeAccepts(ev.family, site.family)) {
            report(d, ev, site, r.fn.name, []);
          }
        }
      }
    }
  }
  return d.out;
}

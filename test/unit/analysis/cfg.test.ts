// Control-flow graphs: every path from entry to exit of a small function, written as the source
// text of its statements and branch outcomes (`c?T`). Loops are cut at their first back edge.

import { strict as assert } from 'node:assert';
import { frontEnd, kernelHeaders } from '../../../src/core/index';
import { buildCfg, buildStmtExprCfg } from '../../../src/core/analysis/cfg';
import type { Cfg } from '../../../src/core/analysis/cfg';

function cfgOf(body: string): { cfg: Cfg; text: string } {
  const text = `void a(void); void b(void); void c(void); int x, y;\nint f(int n) {\n${body}\n}\n`;
  const fe = frontEnd({ fileName: 't.c', text }, kernelHeaders());
  const f = fe.unit.funcs.find((g) => g.name === 'f')!;
  return { cfg: buildCfg(f), text };
}

function paths(body: string): string[] {
  const { cfg, text } = cfgOf(body);
  const src = (s: { start: number; end: number }): string => text.slice(s.start, s.end).replace(/;$/, '').trim();
  const out: string[] = [];
  const walk = (id: number, seen: Set<number>, acc: string[]): void => {
    if (id === cfg.exit) {
      out.push(acc.join(' '));
      return;
    }
    if (seen.has(id)) {
      out.push(`${acc.join(' ')} ...`);
      return;
    }
    const n = cfg.nodes[id];
    const next = new Set(seen).add(id);
    switch (n.k) {
      case 'branch':
        walk(n.succ[0], next, [...acc, `${src(n.c.span)}?T`]);
        walk(n.succ[1], next, [...acc, `${src(n.c.span)}?F`]);
        return;
      case 'switch':
        n.succ.forEach((s, i) => walk(s, next, [...acc, `${src(n.c.span)}#${i}`]));
        return;
      case 'expr': walk(n.succ[0], next, [...acc, src(n.span)]); return;
      case 'decl': walk(n.succ[0], next, [...acc, `decl ${n.v.name}`]); return;
      case 'ret': walk(n.succ[0], next, [...acc, n.implicit ? 'end' : src(n.span)]); return;
      case 'nop': for (const s of n.succ) walk(s, next, acc); return;
    }
  };
  walk(cfg.entry, new Set(), []);
  return out;
}

describe('control-flow graphs', () => {
  const cases: [string, string, string[]][] = [
    ['straight line', 'a(); b();', ['a() b() end']],
    ['if/else', 'if (n) a(); else b(); c();', ['n?T a() c() end', 'n?F b() c() end']],
    ['early return', 'if (n) return 1; a(); return 0;', ['n?T return 1', 'n?F a() return 0']],
    ['while with break and continue', 'while (n) { if (x) break; if (y) continue; a(); } b();', [
      'n?T x?T b() end', 'n?T x?F y?T ...', 'n?T x?F y?F a() ...', 'n?F b() end',
    ]],
    ['do { } while (0)', 'do { a(); } while (0); b();', ['a() 0?T ...', 'a() 0?F b() end']],
    ['for with step', 'for (x = 0; x < n; x++) a();', ['x = 0 x < n?T a() x++ ...', 'x = 0 x < n?F end']],
    ['goto error label', 'a(); if (n) goto err; b(); return 0; err: c(); return -1;', [
      'a() n?T c() return -1', 'a() n?F b() return 0',
    ]],
    ['switch with fallthrough and default', 'switch (n) { case 1: a(); case 2: b(); break; default: c(); } return 0;', [
      'n#0 a() b() return 0', 'n#1 b() return 0', 'n#2 c() return 0',
    ]],
    ['switch without default', 'switch (n) { case 1: a(); break; } b();', ['n#0 a() b() end', 'n#1 b() end']],
    ['declaration', 'int k = n; a();', ['decl k a() end']],
  ];
  for (const [name, body, expected] of cases) it(name, () => assert.deepEqual(paths(body), expected));

  it('a statement expression returns its last expression', () => {
    const text = 'int g(int n) { return ({ int t = n; t + 1; }); }';
    const fe = frontEnd({ fileName: 't.c', text }, kernelHeaders());
    const g = fe.unit.funcs.find((f) => f.name === 'g')!;
    const ret = g.body!.stmts[0];
    assert.equal(ret.k, 'return');
    let se = ret.k === 'return' ? ret.e! : undefined;
    while (se && se.k === 'cast') se = se.e;
    if (!se || se.k !== 'stmtexpr') throw new Error('expected a statement expression');
    const cfg = buildStmtExprCfg(se.body);
    const kinds = cfg.nodes.map((n) => (n.k === 'ret' ? `ret${n.value ? ':value' : ''}` : n.k));
    assert.ok(kinds.includes('ret:value'));
    assert.ok(kinds.includes('decl'));
  });
});

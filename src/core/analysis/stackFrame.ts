// Rule `stack-frame` (KM3007): a function whose declared locals take more than 2048 bytes, the
// kernel's -Wframe-larger-than default. The frame is measured as declared: every automatic local
// at its type's size and alignment (static locals live in the module's data, not on the stack).
// The finding stands on the largest local's declaration.

import type { Diagnostic } from '../diag/diagnostic';
import { alignOf, sizeOf } from '../c/types';
import type { Func, Var } from '../c/ast';
import type { ModuleResult } from './module';
import { finding, RULES } from './report';

export const FRAME_LIMIT = 2048;

export function frameSize(f: Func): { size: number; largest: Var | undefined } {
  let size = 0;
  let largest: Var | undefined;
  let largestSize = -1;
  for (const v of f.locals) {
    if (v.isStatic || v.isExtern) continue;
    const t = v.type;
    if (t.kind === 'func') continue;
    const n = sizeOf(t);
    if (!Number.isFinite(n) || n <= 0) continue;
    const a = Math.max(1, alignOf(t));
    size = Math.ceil(size / a) * a + n;
    if (n > largestSize && !v.span.file.isVirtual) {
      largest = v;
      largestSize = n;
    }
  }
  return { size, largest };
}

export function checkStackFrame(m: ModuleResult): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const f of m.cg.funcs.values()) {
    if (f.fromHeader || !f.body) continue;
    const { size, largest } = frameSize(f);
    if (size <= FRAME_LIMIT || !largest) continue;
    const big = sizeOf(largest.type);
    out.push(finding(RULES.stackFrame, largest.span,
      `${f.name}() needs a ${size}-byte stack frame, over the kernel's ${FRAME_LIMIT}-byte limit (-Wframe-larger-than=${FRAME_LIMIT}): '${largest.name}' alone takes ${big} bytes; allocate it with kmalloc() instead`,
      [{ span: f.nameSpan, message: `the frame of ${f.name}()` }]));
  }
  return out;
}

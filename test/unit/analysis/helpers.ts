// Helpers for the analyzer tests: run the front end and the analyzer on a snippet, and describe
// findings as `rule line` strings so tables of cases stay one line each.

import { analyze, frontEnd, kernelHeaders } from '../../../src/core/index';
import type { Diagnostic } from '../../../src/core/index';

/** Headers every snippet gets, so a case is only the code it is about. */
export const PRELUDE = [
  '#include <linux/module.h>',
  '#include <linux/init.h>',
  '#include <linux/slab.h>',
  '#include <linux/vmalloc.h>',
  '#include <linux/string.h>',
  '#include <linux/list.h>',
  '#include <linux/spinlock.h>',
  '#include <linux/mutex.h>',
  '#include <linux/delay.h>',
  '#include <linux/sched.h>',
  '#include <linux/rcupdate.h>',
  '#include <linux/gfp.h>',
  '#include <linux/mm.h>',
  '',
].join('\n');

const PRELUDE_LINES = PRELUDE.split('\n').length - 1;

export interface Run {
  readonly diagnostics: Diagnostic[];
  readonly internal: string[];
  /** The front end's own diagnostics (syntax errors, missing headers). */
  readonly frontEnd: Diagnostic[];
}

export function analyzeText(text: string, fileName = 't.c'): Run {
  const internal: string[] = [];
  const fe = frontEnd({ fileName, text }, kernelHeaders());
  const diagnostics = analyze(fe, { debug: (m) => internal.push(m) });
  return { diagnostics, internal, frontEnd: fe.diagnostics };
}

/** Findings of a snippet (prelude added) as `rule line`, lines counted from the snippet's first line. */
export function findings(snippet: string, opts: { hints?: boolean } = {}): string[] {
  const r = analyzeText(PRELUDE + snippet);
  const internal = r.internal.filter((m) => !m.includes('work budget'));
  if (internal.length) throw new Error(internal.join('\n'));
  return r.diagnostics
    .filter((d) => opts.hints || d.severity !== 'hint')
    .map((d) => `${d.rule} ${d.span.file.position(d.span.start).line - PRELUDE_LINES}`);
}

/** The full diagnostics of a snippet (prelude added), for message and fix assertions. */
export function diagnosticsOf(snippet: string): Diagnostic[] {
  return analyzeText(PRELUDE + snippet).diagnostics;
}

export function lineOf(d: Diagnostic): number {
  return d.span.file.position(d.span.start).line - PRELUDE_LINES;
}

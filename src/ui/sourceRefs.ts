// Text scanning the extension does on plain strings: source references in kernel log lines
// (`init_module (test_mem.c:21) test_mem`, `at test_mem.c:21`), which become links back to the
// student's code, and the `#include "..."` names a module reads from its own folder, which the
// extension reads and sends to the worker with the module. Pure: no vscode.

/** A `file.c:NN` (or `file.h:NN:CC`) reference in one line of text; offsets are 0-based. */
export interface SourceRef {
  readonly start: number;
  readonly end: number;
  readonly file: string;
  readonly line: number;
  readonly column: number | undefined;
}

/** `name.c:21` or `dir/name.h:21:5`; a file name right after `(`, a space or the line start. */
const SOURCE_REF = /(?<![\w./-])((?:[\w.-]+\/)*[\w.-]+\.[ch]):(\d+)(?::(\d+))?/g;

/** Every source reference in `line`. */
export function findSourceRefs(line: string): SourceRef[] {
  const out: SourceRef[] = [];
  for (const m of line.matchAll(SOURCE_REF)) {
    out.push({ start: m.index!, end: m.index! + m[0].length, file: m[1], line: Number(m[2]), column: m[3] ? Number(m[3]) : undefined });
  }
  return out;
}

/** The names in `#include "name"` lines, in order, without duplicates. */
export function quoteIncludes(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"/gm)) out.add(m[1]);
  return [...out];
}

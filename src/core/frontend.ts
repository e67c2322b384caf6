// The front end as one call: preprocess against the virtual kernel headers and the module's own
// folder, then parse and type-check. Shared by `kmodlab load`, `kmodlab check`, the analyzer and
// the extension, so all of them see the same program and the same diagnostics.

import { SourceFile } from './source/source';
import type { Diagnostic } from './diag/diagnostic';
import { preprocess } from './c/preprocess';
import { leavesModuleFolder } from './c/includePath';
import { parse } from './c/parse';
import type { TranslationUnit } from './c/ast';
import type { HeaderTree } from './kernel/include/index';
import type { Span } from './source/source';

export interface FrontEndInput {
  /** The module's file name as shown to the student (`test_mem.c`); KBUILD_MODNAME derives from it. */
  readonly fileName: string;
  readonly text: string;
  /** Reads a file next to the module for `#include "..."`; undefined when not found or not allowed. */
  readonly readLocal?: (name: string) => string | undefined;
  /** Extra -D definitions. */
  readonly defines?: Record<string, string>;
  readonly limits?: { maxExpansionDepth?: number; maxOutputTokens?: number; maxIncludeDepth?: number; maxNesting?: number };
}

export interface FrontEndResult {
  readonly file: SourceFile;
  readonly unit: TranslationUnit;
  readonly diagnostics: Diagnostic[];
  readonly inactiveRanges: Span[];
  /** The module name: the file name without directories and `.c`, with '-' as '_' (kbuild's rule). */
  readonly moduleName: string;
}

export function moduleNameOf(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.c$/, '');
  return base.replace(/-/g, '_');
}

export function frontEnd(input: FrontEndInput, headers: HeaderTree): FrontEndResult {
  const file = new SourceFile(input.fileName.replace(/^.*[\\/]/, ''), input.text);
  const moduleName = moduleNameOf(input.fileName);
  const locals = new Map<string, SourceFile>();
  const pp = preprocess(file, {
    resolveInclude(name, kind) {
      if (kind === 'quote' && input.readLocal && !leavesModuleFolder(name)) {
        const cached = locals.get(name);
        if (cached) return cached;
        const text = input.readLocal(name);
        if (text !== undefined) {
          const f = new SourceFile(name, text);
          locals.set(name, f);
          return f;
        }
      }
      return headers.get(name);
    },
    defines: { KBUILD_MODNAME: JSON.stringify(moduleName), KBUILD_BASENAME: JSON.stringify(moduleName), ...input.defines },
    maxExpansionDepth: input.limits?.maxExpansionDepth,
    maxOutputTokens: input.limits?.maxOutputTokens,
    maxIncludeDepth: input.limits?.maxIncludeDepth,
  });
  const parsed = parse(pp.tokens, { maxNesting: input.limits?.maxNesting });
  return {
    file,
    unit: parsed.unit,
    diagnostics: [...pp.diagnostics, ...parsed.diagnostics.items],
    inactiveRanges: pp.inactiveRanges,
    moduleName,
  };
}

// The one place the extension reaches the static analyzer. The analyzer (src/core/analysis) is
// exported from src/core/index.ts as `analyze(fe: FrontEndResult): Diagnostic[]`; this adapter
// looks it up on the core's namespace, so the extension builds and runs whether or not that export
// exists: without it, only the front end's own diagnostics are shown. Runs inside the kernel
// worker (no vscode here).
//
// To depend on the analyzer statically once it has landed for good, replace the `analyzer` line
// below with `const analyzer: Analyze | undefined = core.analyze;`.

import * as core from '../core/index';
import type { Diagnostic, FrontEndResult } from '../core/index';

/** The analyzer's signature, as src/core/index.ts exports it. */
type Analyze = (fe: FrontEndResult) => Diagnostic[];

const analyzer: Analyze | undefined = (core as unknown as { analyze?: Analyze }).analyze;

/** True when the core exports the static analyzer. */
export const hasAnalyzer = typeof analyzer === 'function';

/**
 * The static diagnostics of a module the front end has read: the front end's own (syntax, types,
 * missing headers) followed by the analyzer's findings, when the analyzer is there and `withAnalyzer`.
 */
export function staticDiagnostics(fe: FrontEndResult, withAnalyzer = true): Diagnostic[] {
  const out = [...fe.diagnostics];
  if (withAnalyzer && analyzer) out.push(...analyzer(fe));
  return out;
}

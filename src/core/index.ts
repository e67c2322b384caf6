// The only import surface of the pure core for everything outside it (CLI, extension, worker,
// tests). Nothing here touches the file system, the network, the DOM or VS Code.

export { runModule } from './run';
export type { RunOptions, RunResult } from './run';
export { frontEnd, moduleNameOf } from './frontend';
export type { FrontEndInput, FrontEndResult } from './frontend';
export { formatDiagnostic, caretExcerpt } from './diag/render';
export type { Diagnostic, Related, Fix, TextEdit, Severity } from './diag/diagnostic';
export { CODES } from './diag/codes';
export type { Span } from './source/source';
export { SourceFile, formatSpan } from './source/source';
export { KERNEL_CONFIGS } from './kernel/kernel';
export type { KernelConfigName, KernelOptions, RuntimeFinding } from './kernel/kernel';
export { kernelHeaders } from './kernel/boot';

export const KERNEL_CONFIG_NAMES = ['full', 'default', 'slub_debug', 'kasan', 'kmemleak'] as const;
export { analyze, FINDING_RULES, RULES } from './analysis/index';
export type { AnalyzeOptions, RuleName } from './analysis/index';
export { toJsonFindings, toSarif, toBaseline, jsonPosition } from './diag/formats';
export type { JsonFinding, SarifOptions, FileNamer } from './diag/formats';

// The only import surface of the pure core for everything outside it (CLI, extension, worker,
// tests). Nothing here touches the file system, the network, the DOM or VS Code.

export { runModule } from './run';
export type { RunOptions, RunResult } from './run';
export { frontEnd, moduleNameOf } from './frontend';
export { leavesModuleFolder } from './c/includePath';
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
// For the extension (src/ui): the kept machine between Load and Unload, the init/exit entry points
// (CodeLens), the API table (hovers) and the AST shapes the extension's parse facts walk.
export { insmod, rmmod } from './kernel/insmod';
export type { ToolResult } from './kernel/insmod';
export { bootKernel } from './kernel/boot';
export type { Booted } from './kernel/boot';
export { entryPoint } from './kernel/module';
export { KERNEL_EXPORTS } from './kernel/exports/index';
export type { KernelExport } from './kernel/exports/index';
export type { TranslationUnit, Func, Expr, Stmt, Block } from './c/ast';
// The module debugger (the `kmodlab` debug adapter's engine): stops, stepping and replay, and the
// paused machine's stack, variables, expressions and memory.
export { ModuleDebugger, hitMatches } from './debug/debugger';
export type { DebugLaunch, DebugHost, DebugOutcome, DataBreakpoint, SourceBreakpoint, Stop, StopReason, Resume } from './debug/debugger';
export { PausedState, parseAddress } from './debug/paused';
export type { DebugStep, StackFrameInfo, VariableInfo, MemoryRead } from './debug/paused';

// The kernel shell (kmodlab shell/run, the extension's terminal).
export { Shell, HOSTNAME } from './shell/shell';
export type { ShellModule, ShellResult } from './shell/shell';
export { bootShell, runScript } from './shell/script';
export { formatTimestamp } from './kernel/printk';
export type { ScriptResult } from './shell/script';

// The extension's two diagnostic collections and what hangs off them. Static diagnostics (front end
// and analyzer) follow the text as the student types; runtime findings come from the last Load or
// Unload and are cleared as soon as their file changes, because their lines belong to the text that
// ran. Both use source `kmodlab` and the catalog code (with its documentation link) as `code`.
//
// Quick fixes and the full kernel reports are kept beside the diagnostics, keyed by the
// diagnostic's code, range and message and stamped with the document version they belong to: the
// CodeActionProvider drops fixes of another version (their offsets would be stale).

import * as vscode from 'vscode';
import type { WireDiagnostic, WireFinding, WireFix, WireRange, WireRelated, WireSeverity } from '../protocol/kernel';
import { Disposable } from './dispose';
import { fileOf, toRange } from './convert';

export const DIAGNOSTIC_SOURCE = 'kmodlab';

const SEVERITY: Record<WireSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** How serious each kind of runtime finding is for the student; anything else is an error. */
const RUNTIME_SEVERITY: Readonly<Record<string, vscode.DiagnosticSeverity>> = {
  leak: vscode.DiagnosticSeverity.Warning,
  'init-return': vscode.DiagnosticSeverity.Warning,
  'alloc-failure': vscode.DiagnosticSeverity.Information,
  'fault-injection': vscode.DiagnosticSeverity.Information,
};

/** Maps wire ranges of one module to editor locations. */
export class ModuleFiles {
  constructor(
    /** The module's document. */
    readonly uri: vscode.Uri,
    /** The file name the worker was given (`test_mem.c`). */
    readonly fileName: string,
  ) {}

  /** The document a range lies in; undefined for the emulated kernel headers. */
  uriOf(r: WireRange): vscode.Uri | undefined {
    const f = fileOf(r, this.fileName);
    if (f.kind === 'self') return this.uri;
    if (f.kind === 'virtual') return undefined;
    return vscode.Uri.joinPath(this.uri, '..', f.path);
  }

  /** The editor range of `r`; `widenEmpty` for diagnostics (see convert.ts). */
  range(r: WireRange, widenEmpty = false): vscode.Range {
    return toRange(r, vscode.Range, widenEmpty);
  }

  /** Related information; a note inside a kernel header is shown at `fallback` with its header location. */
  related(rel: readonly WireRelated[], fallback: vscode.Location): vscode.DiagnosticRelatedInformation[] {
    return rel.map((r) => {
      const uri = this.uriOf(r.range);
      return uri
        ? new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, this.range(r.range, true)), r.message)
        : new vscode.DiagnosticRelatedInformation(fallback, `${r.range.file}:${r.range.start.line}: ${r.message}`);
    });
  }
}

/** Diagnostic key for fixes and reports: code, range and message, as VS Code hands them back. */
function keyOf(d: vscode.Diagnostic): string {
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  const r = d.range;
  return `${code}|${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}|${d.message}`;
}

interface Attached {
  readonly version: number;
  readonly files: ModuleFiles;
  readonly fixes: Map<string, readonly WireFix[]>;
  readonly reports: Map<string, { readonly range: vscode.Range; readonly finding: WireFinding }>;
}

export class Diagnostics extends Disposable {
  private readonly staticSet = this.register(vscode.languages.createDiagnosticCollection('kmodlab'));
  private readonly runtimeSet = this.register(vscode.languages.createDiagnosticCollection('kmodlab-runtime'));
  private readonly staticData = new Map<string, Attached>();
  private readonly runtimeData = new Map<string, Attached>();

  constructor() {
    super();
    this.register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Runtime findings describe the text that ran: any edit makes their lines unreliable.
        if (e.contentChanges.length && this.runtimeData.has(e.document.uri.toString())) this.clearRuntime(e.document.uri);
      }),
    );
    this.register(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.staticSet.delete(doc.uri);
        this.staticData.delete(doc.uri.toString());
      }),
    );
  }

  /** Replaces the static diagnostics of `doc` (computed for `version`). */
  setStatic(doc: vscode.TextDocument, files: ModuleFiles, version: number, wire: readonly WireDiagnostic[]): void {
    const attached: Attached = { version, files, fixes: new Map(), reports: new Map() };
    const out: vscode.Diagnostic[] = [];
    for (const w of wire) {
      const uri = files.uriOf(w.range);
      // Findings inside local headers belong to those files; only the module's own are shown here.
      if (uri && uri.toString() !== doc.uri.toString()) continue;
      const range = uri ? files.range(w.range, true) : new vscode.Range(0, 0, 0, 1);
      const message = uri ? w.message : `${w.range.file}:${w.range.start.line}: ${w.message}`;
      const d = new vscode.Diagnostic(range, message, SEVERITY[w.severity]);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = w.docUrl ? { value: w.code, target: vscode.Uri.parse(w.docUrl) } : w.code;
      d.relatedInformation = files.related(w.related, new vscode.Location(doc.uri, range));
      if (w.fixes.length) attached.fixes.set(keyOf(d), w.fixes);
      out.push(d);
    }
    this.staticSet.set(doc.uri, out);
    this.staticData.set(doc.uri.toString(), attached);
  }

  /**
   * Shows runtime findings at the student's lines; `append` keeps the ones already shown (an
   * Unload adds its findings to the Load's). A finding without a position goes to `fallback`.
   */
  setRuntime(files: ModuleFiles, version: number, findings: readonly WireFinding[], append: boolean, fallback: vscode.Range, extra: readonly WireDiagnostic[] = []): void {
    const key = files.uri.toString();
    const previous = append ? this.runtimeData.get(key) : undefined;
    const attached: Attached = previous ?? { version, files, fixes: new Map(), reports: new Map() };
    const out: vscode.Diagnostic[] = append ? [...(this.runtimeSet.get(files.uri) ?? [])] : [];
    for (const f of findings) {
      const uri = f.range ? files.uriOf(f.range) : undefined;
      const range = f.range && uri?.toString() === key ? files.range(f.range, true) : fallback;
      const d = new vscode.Diagnostic(range, f.message, RUNTIME_SEVERITY[f.rule] ?? vscode.DiagnosticSeverity.Error);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = f.docUrl ? { value: f.rule, target: vscode.Uri.parse(f.docUrl) } : f.rule;
      d.relatedInformation = files.related(f.related, new vscode.Location(files.uri, range));
      attached.reports.set(keyOf(d), { range, finding: f });
      out.push(d);
    }
    for (const w of extra) {
      const range = files.uriOf(w.range)?.toString() === key ? files.range(w.range, true) : fallback;
      const d = new vscode.Diagnostic(range, w.message, SEVERITY[w.severity]);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = w.docUrl ? { value: w.code, target: vscode.Uri.parse(w.docUrl) } : w.code;
      out.push(d);
    }
    this.runtimeSet.set(files.uri, out);
    this.runtimeData.set(key, attached);
  }

  clearRuntime(uri: vscode.Uri): void {
    this.runtimeSet.delete(uri);
    this.runtimeData.delete(uri.toString());
  }

  /** The quick fixes of a kmodlab diagnostic, if they were computed for this version of the document. */
  fixesFor(doc: vscode.TextDocument, d: vscode.Diagnostic): { files: ModuleFiles; fixes: readonly WireFix[] } | undefined {
    const a = this.staticData.get(doc.uri.toString());
    if (!a || a.version !== doc.version) return undefined;
    const fixes = a.fixes.get(keyOf(d));
    return fixes ? { files: a.files, fixes } : undefined;
  }

  /** The kernel reports of runtime findings at `pos`. */
  reportsAt(doc: vscode.TextDocument, pos: vscode.Position): WireFinding[] {
    const a = this.runtimeData.get(doc.uri.toString());
    if (!a) return [];
    return [...a.reports.values()].filter((r) => r.range.contains(pos)).map((r) => r.finding);
  }
}

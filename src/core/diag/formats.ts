// Machine-readable renderers for diagnostics: a flat JSON array (one object per finding, 1-based
// positions, `endColumn` exclusive as in SARIF) and SARIF 2.1.0 for code-scanning tools. Pure
// functions of the diagnostics; the caller decides where the text goes.

import type { Log, ReportingDescriptor, Result, Location, Fix as SarifFix } from 'sarif';
import type { Diagnostic } from './diagnostic';
import type { SourceFile, Span } from '../source/source';
import { CODES } from './codes';

export interface JsonPosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface JsonFinding extends JsonPosition {
  readonly severity: string;
  readonly rule: string;
  readonly code: string;
  readonly message: string;
  readonly related: (JsonPosition & { readonly message: string })[];
  readonly fixes: { readonly title: string; readonly edits: (JsonPosition & { readonly newText: string })[] }[];
}

/** How a file is named in the output (the CLI passes the path the user gave); its own name by default. */
export type FileNamer = (file: SourceFile) => string;

const ownName: FileNamer = (f) => f.name;

/** 1-based start and (exclusive) end of a span. */
export function jsonPosition(s: Span, nameOf: FileNamer = ownName): JsonPosition {
  const a = s.file.position(s.start);
  const b = s.file.position(Math.max(s.start, s.end));
  return { file: nameOf(s.file), line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
}

export function toJsonFindings(ds: readonly Diagnostic[], nameOf: FileNamer = ownName): JsonFinding[] {
  return ds.map((d) => ({
    ...jsonPosition(d.span, nameOf),
    severity: d.severity,
    rule: d.rule,
    code: d.code,
    message: d.message,
    related: d.related.map((r) => ({ ...jsonPosition(r.span, nameOf), message: r.message })),
    fixes: d.fixes.map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ ...jsonPosition(e.span, nameOf), newText: e.newText })) })),
  }));
}

export interface SarifOptions {
  readonly toolVersion: string;
  /** The artifact URI of a file (the CLI passes the path the user gave). */
  readonly uriOf?: FileNamer;
}

function region(s: Span): { startLine: number; startColumn: number; endLine: number; endColumn: number } {
  const p = jsonPosition(s);
  return { startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn };
}

export function toSarif(ds: readonly Diagnostic[], opts: SarifOptions): Log {
  const uri = opts.uriOf ?? ownName;
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  for (const d of ds) {
    const id = d.rule || d.code;
    if (ruleIndex.has(id)) continue;
    const info = CODES.get(d.code);
    ruleIndex.set(id, rules.length);
    rules.push({
      id,
      name: info?.title,
      shortDescription: { text: info?.title ?? id },
      fullDescription: info ? { text: info.teach } : undefined,
      helpUri: info?.doc,
      properties: { code: d.code },
    });
  }
  const loc = (s: Span, message?: string, id?: number): Location => ({
    id,
    physicalLocation: { artifactLocation: { uri: uri(s.file) }, region: region(s) },
    message: message !== undefined ? { text: message } : undefined,
  });
  const results: Result[] = ds.map((d) => {
    const id = d.rule || d.code;
    const fixes: SarifFix[] = d.fixes.map((f) => ({
      description: { text: f.title },
      artifactChanges: [{
        artifactLocation: { uri: uri(f.edits[0]?.span.file ?? d.span.file) },
        replacements: f.edits.map((e) => ({ deletedRegion: region(e.span), insertedContent: { text: e.newText } })),
      }],
    }));
    return {
      ruleId: id,
      ruleIndex: ruleIndex.get(id),
      level: d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'note',
      message: { text: d.message },
      locations: [loc(d.span)],
      relatedLocations: d.related.length ? d.related.map((r, i) => loc(r.span, r.message, i + 1)) : undefined,
      fixes: fixes.length ? fixes : undefined,
      properties: { code: d.code },
    };
  });
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{
      tool: { driver: { name: 'kmodlab', fullName: 'Kernel Module Lab', version: opts.toolVersion, rules } },
      results,
    }],
  };
}

function caret(s: Span): string[] {
  const f = s.file;
  const a = f.position(s.start);
  const b = f.position(Math.max(s.start, s.end - 1));
  const text = f.lineText(a.line);
  // Pad with the line's own tabs so the caret stays under the code in any tab width.
  const pad = text.slice(0, a.column - 1).replace(/[^\t]/g, ' ');
  const width = b.line === a.line ? Math.max(1, b.column - a.column + 1) : Math.max(1, text.length - a.column + 1);
  return [`${String(a.line).padStart(5)} | ${text}`, `      | ${pad}^${'~'.repeat(width - 1)}`];
}

/**
 * The TypeScript-baseline form used by the golden `.diag` files: `file(line,col): severity CODE:
 * message [rule]`, the source line with a caret, then `related` and `fix` lines.
 */
export function toBaseline(ds: readonly Diagnostic[]): string {
  const out: string[] = [];
  for (const d of ds) {
    const p = jsonPosition(d.span);
    const rule = d.rule ? ` [${d.rule}]` : '';
    out.push(`${p.file}(${p.line},${p.column}): ${d.severity} ${d.code}: ${d.message}${rule}`);
    if (!d.span.file.isVirtual) out.push(...caret(d.span));
    for (const r of d.related) {
      const q = jsonPosition(r.span);
      out.push(`  related ${q.file}(${q.line},${q.column}): ${r.message}`);
    }
    for (const f of d.fixes) {
      out.push(`  fix: ${f.title}`);
      for (const e of f.edits) {
        const q = jsonPosition(e.span);
        out.push(`    ${q.file}(${q.line},${q.column})-(${q.endLine},${q.endColumn}): ${JSON.stringify(e.newText)}`);
      }
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

// The one place where the core's 1-based positions become the editor's 0-based ones (and back).
// The core (and the worker protocol) count lines and columns from 1, in UTF-16 code units, on lines
// split at '\n' exactly as VS Code splits them, so the conversion is a shift by one and nothing
// else. This file imports vscode for types only: the unit tests run it without VS Code, passing a
// stand-in for the `Range` constructor.

import type * as vscode from 'vscode';
import type { WirePosition, WireRange } from '../protocol/kernel';

/** A 0-based range as plain numbers, the shape of `vscode.Range`'s four-number constructor. */
export interface ZeroRange {
  readonly startLine: number;
  readonly startCharacter: number;
  readonly endLine: number;
  readonly endCharacter: number;
}

/** 1-based core positions → 0-based editor positions (clamped at 0 for a defensive caller). */
export function zeroBased(r: { readonly start: WirePosition; readonly end: WirePosition }): ZeroRange {
  return {
    startLine: Math.max(0, r.start.line - 1),
    startCharacter: Math.max(0, r.start.column - 1),
    endLine: Math.max(0, r.end.line - 1),
    endCharacter: Math.max(0, r.end.column - 1),
  };
}

/** The editor position (0-based line and character) as a core position (1-based). */
export function oneBased(line: number, character: number): WirePosition {
  return { line: line + 1, column: character + 1 };
}

/** The constructor of `vscode.Range`, passed in so that this module never loads vscode itself. */
export type RangeConstructor = new (startLine: number, startCharacter: number, endLine: number, endCharacter: number) => vscode.Range;

/**
 * A wire range as a `vscode.Range`. With `widenEmpty` (for diagnostics) an empty span gets one
 * character so its squiggle can be seen; edits keep empty ranges (they are insertions).
 */
export function toRange(r: WireRange, Range: RangeConstructor, widenEmpty = false): vscode.Range {
  const z = zeroBased(r);
  const empty = z.startLine === z.endLine && z.startCharacter === z.endCharacter;
  return new Range(z.startLine, z.startCharacter, z.endLine, widenEmpty && empty ? z.endCharacter + 1 : z.endCharacter);
}

/** Whether a 1-based position lies inside a wire range (start inclusive, end inclusive). */
export function rangeContains(r: WireRange, p: WirePosition): boolean {
  const before = (a: WirePosition, b: WirePosition) => a.line < b.line || (a.line === b.line && a.column <= b.column);
  return before(r.start, p) && before(p, r.end);
}

/**
 * Which file a wire range lies in, relative to the module the editor sent: `self` for the module
 * itself, a path relative to the module's folder for a local include, `virtual` for the emulated
 * kernel headers (they exist only inside the worker).
 */
export function fileOf(r: WireRange, moduleFileName: string): { kind: 'self' } | { kind: 'local'; path: string } | { kind: 'virtual' } {
  if (r.virtual) return { kind: 'virtual' };
  if (r.file === baseName(moduleFileName)) return { kind: 'self' };
  return { kind: 'local', path: r.file };
}

/** The last path segment, for `/` and `\` separated paths. */
export function baseName(p: string): string {
  return p.replace(/^.*[\\/]/, '');
}

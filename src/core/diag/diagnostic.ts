// The one shape every finding takes, from a lexer error to a KASAN report. Codes come from the
// catalog (codes.ts); a diagnostic always points at a span, and macro-expanded spans are mapped back
// to the student's own code by whoever creates them (see c/token.ts `userSpan`).

import type { Span } from '../source/source';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Related {
  readonly span: Span;
  readonly message: string;
}

/** A text edit computed in the core; the UI only converts it. */
export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
}

export interface Diagnostic {
  /** Stable catalog code, `KM1001`. */
  readonly code: string;
  /** Rule name for analyzer and runtime findings (`null-check`, `kasan-use-after-free`); empty for front-end errors. */
  readonly rule: string;
  readonly severity: Severity;
  readonly span: Span;
  readonly message: string;
  readonly related: readonly Related[];
  readonly fixes: readonly Fix[];
}

/** Collects diagnostics for one pass. Passes never throw on user input; they report here. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  error(code: string, span: Span, message: string, related: Related[] = []): void {
    this.items.push({ code, rule: '', severity: 'error', span, message, related, fixes: [] });
  }

  warning(code: string, span: Span, message: string, related: Related[] = []): void {
    this.items.push({ code, rule: '', severity: 'warning', span, message, related, fixes: [] });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** A bug in Kernel Module Lab itself, never in the student's code. */
export class InternalError extends Error {
  constructor(message: string) {
    super(`internal error in Kernel Module Lab: ${message}`);
    this.name = 'InternalError';
  }
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new InternalError(message);
}

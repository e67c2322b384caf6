// Tokens as the preprocessor hands them to the parser. Each token keeps the chain of macro
// expansions that produced it, so a diagnostic can point at the macro's use in the student's file
// and name the header location as related information.

import type { Span } from '../source/source';

export const enum TokenKind {
  Ident,
  Keyword,
  Number,
  Char,
  String,
  Punct,
  EOF,
}

/** One step of a macro expansion: the macro `name` was used at `use` (defined at `def`). */
export interface MacroOrigin {
  readonly name: string;
  readonly use: Span;
  readonly def: Span | undefined;
  /** The expansion that produced the use itself (a macro used inside another macro's body). */
  readonly parent: MacroOrigin | undefined;
}

export interface Token {
  readonly kind: TokenKind;
  /** The spelling after expansion (for strings and chars: with quotes and prefix). */
  readonly text: string;
  /** Where the spelling stands: the macro body for expanded tokens, the file otherwise. */
  readonly span: Span;
  readonly origin: MacroOrigin | undefined;
  /** Preceded by white space (used by `#` stringizing and by the parser's error messages). */
  readonly spaceBefore: boolean;
  /** First token on its line. */
  readonly atLineStart: boolean;
}

/** The outermost use of the macro a token came from, or its own span: the student's own code. */
export function userSpan(t: Token): Span {
  let o = t.origin;
  if (!o) return t.span;
  while (o.parent) o = o.parent;
  return o.use;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum',
  'extern', 'float', 'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return',
  'short', 'signed', 'sizeof', 'static', 'struct', 'switch', 'typedef', 'union', 'unsigned', 'void',
  'volatile', 'while', '_Bool', '_Alignas', '_Alignof', '_Atomic', '_Complex', '_Generic', '_Noreturn',
  '_Static_assert', '_Thread_local', '__attribute__', '__attribute', 'typeof', '__typeof__', '__typeof',
  'asm', '__asm__', '__asm', '__inline', '__inline__', '__restrict', '__restrict__', '__volatile__',
  '__const', '__const__', '__signed__', '__extension__', '__alignof__', '__builtin_offsetof',
  '__builtin_va_arg', '__auto_type',
]);

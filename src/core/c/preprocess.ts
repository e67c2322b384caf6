// The C preprocessor (C11 6.10 plus the GNU extensions kernel headers use). Files are lexed once
// (lex.ts) and read through a stack of include frames; a directive is a `#` token at the start of
// a line read from a file, never one produced by a macro.
//
// Macro expansion follows Prosser's hide-set algorithm (as in chibicc): every token carries the set
// of macro names it must not expand ("blue paint"). Expanding object-like M adds M to the name's
// hide set; function-like M uses (hide(name) ∩ hide(')')) ∪ {M}. The result is pushed back onto a
// pushback stack and rescanned, so `#define foo foo` and mutual recursion terminate and no array is
// spliced. Arguments are fully expanded first (in their own stream) unless they meet `#` or `##`.
//
// Origins (see token.ts): a token the macro body creates (body tokens, `#` strings, `##` results,
// `__VA_OPT__` contents) gets `origin = {name, use: the macro name's span at the use site, def: the
// name's span in its #define, parent: the use token's origin}` and keeps the body's span, so
// `userSpan` leads back to the student's line. A token that comes from an argument keeps its own
// span and origin: a diagnostic on `pr_info("%d", x)`'s `x` points at that `x`.
//
// Invariant: never throws on any text. Problems become diagnostics with exact spans, processing
// goes on; limits (expansion depth, output size, include depth) end in a diagnostic, not a hang.

import { TokenKind, userSpan } from './token';
import type { MacroOrigin, Token } from './token';
import { SourceFile } from '../source/source';
import type { Span } from '../source/source';
import type { Diagnostic, Related, Severity } from '../diag/diagnostic';
import { classifyToken, decodeCharLiteral, isStray, lexFile, strayMessage } from './lex';
import type { LexProblem } from './lex';
import { parseIntegerConstant } from './number';
import { leavesModuleFolder } from './includePath';

export interface PreprocessOptions {
  /** Resolve an #include. kind 'system' for <...>, 'quote' for "..." (quote falls back to system). Return undefined if not found. */
  resolveInclude(name: string, kind: 'system' | 'quote', from: SourceFile): SourceFile | undefined;
  /** Extra predefined object-like macros, name → replacement text (e.g. KBUILD_MODNAME → '"test_mem"'). */
  defines?: Record<string, string>;
  /** Default 200; exceeding → diagnostic, token left unexpanded. */
  maxExpansionDepth?: number;
  /** Default 2_000_000 (the largest module of the corpus needs 6,000); exceeding → diagnostic, stop. Macro expansions may do twice this much work. */
  maxOutputTokens?: number;
  /** Default 64 (an #include cycle without guards ends with a clear diagnostic). */
  maxIncludeDepth?: number;
  /** `__has_builtin(name)`; without it every builtin reports 0. */
  hasBuiltin?(name: string): boolean;
}

/** A macro as defined at the end of preprocessing (for hovers and tests). */
export interface MacroDef {
  readonly name: string;
  /** Parameter names of a function-like macro (the variadic one as `__VA_ARGS__` or its GNU name); undefined if object-like. */
  readonly params: readonly string[] | undefined;
  readonly variadic: boolean;
  /** The replacement list as written (spans in the #define line). */
  readonly body: readonly Token[];
  /** The macro's name in its #define (`<built-in>` or `<command-line>` for predefined ones); undefined for dynamic builtins such as `__LINE__`. */
  readonly nameSpan: Span | undefined;
}

export interface PreprocessResult {
  /** The expanded tokens, ending with one EOF token. Adjacent strings are not concatenated. */
  tokens: Token[];
  diagnostics: Diagnostic[];
  /** Every file included, in order of first inclusion. */
  includes: SourceFile[];
  macros: ReadonlyMap<string, MacroDef>;
  /** Groups skipped by #if/#ifdef/#elif/#else, whole lines, for the editor to dim. */
  inactiveRanges: Span[];
}

/** Preprocess `file`; never throws on any input text. */
export function preprocess(file: SourceFile, opts: PreprocessOptions): PreprocessResult {
  return new Preprocessor(opts).run(file);
}

// ---------------------------------------------------------------------------------------------
// Fixed facts about the target: gcc 12.2 for x86_64 building a module (-std=gnu11 -ffreestanding).

/** Fixed, so that the same source always gives the same program (DESIGN.md, invariant 5). */
const FIXED_DATE = '"Jan  1 2024"';
const FIXED_TIME = '"00:00:00"';

const PREDEFINED: ReadonlyArray<readonly [string, string]> = [
  ['__STDC__', '1'], ['__STDC_VERSION__', '201112L'], ['__STDC_HOSTED__', '0'], ['__STDC_UTF_16__', '1'], ['__STDC_UTF_32__', '1'],
  ['__GNUC__', '12'], ['__GNUC_MINOR__', '2'], ['__GNUC_PATCHLEVEL__', '0'], ['__VERSION__', '"12.2.0"'], ['__GNUC_STDC_INLINE__', '1'],
  ['__x86_64__', '1'], ['__x86_64', '1'], ['__amd64__', '1'], ['__amd64', '1'],
  ['__linux__', '1'], ['__linux', '1'], ['__gnu_linux__', '1'], ['__unix__', '1'], ['__unix', '1'], ['__ELF__', '1'],
  ['__LP64__', '1'], ['_LP64', '1'], ['__CHAR_BIT__', '8'],
  ['__SIZEOF_SHORT__', '2'], ['__SIZEOF_INT__', '4'], ['__SIZEOF_LONG__', '8'], ['__SIZEOF_LONG_LONG__', '8'], ['__SIZEOF_POINTER__', '8'],
  ['__SIZEOF_SIZE_T__', '8'], ['__SIZEOF_PTRDIFF_T__', '8'], ['__SIZEOF_WCHAR_T__', '4'], ['__SIZEOF_WINT_T__', '4'],
  ['__SIZEOF_FLOAT__', '4'], ['__SIZEOF_DOUBLE__', '8'], ['__SIZEOF_LONG_DOUBLE__', '16'], ['__SIZEOF_INT128__', '16'], ['__BIGGEST_ALIGNMENT__', '16'],
  ['__ORDER_LITTLE_ENDIAN__', '1234'], ['__ORDER_BIG_ENDIAN__', '4321'], ['__ORDER_PDP_ENDIAN__', '3412'],
  ['__BYTE_ORDER__', '__ORDER_LITTLE_ENDIAN__'], ['__FLOAT_WORD_ORDER__', '__ORDER_LITTLE_ENDIAN__'],
  ['__SCHAR_MAX__', '0x7f'], ['__SHRT_MAX__', '0x7fff'], ['__INT_MAX__', '0x7fffffff'], ['__LONG_MAX__', '0x7fffffffffffffffL'],
  ['__LONG_LONG_MAX__', '0x7fffffffffffffffLL'], ['__WCHAR_MAX__', '0x7fffffff'], ['__WCHAR_MIN__', '(-__WCHAR_MAX__ - 1)'],
  ['__SIZE_MAX__', '0xffffffffffffffffUL'], ['__PTRDIFF_MAX__', '0x7fffffffffffffffL'], ['__INTMAX_MAX__', '0x7fffffffffffffffL'],
  ['__UINTMAX_MAX__', '0xffffffffffffffffUL'], ['__INTPTR_MAX__', '0x7fffffffffffffffL'], ['__UINTPTR_MAX__', '0xffffffffffffffffUL'],
  ['__SIZE_TYPE__', 'long unsigned int'], ['__PTRDIFF_TYPE__', 'long int'], ['__WCHAR_TYPE__', 'int'], ['__WINT_TYPE__', 'unsigned int'],
  ['__INTMAX_TYPE__', 'long int'], ['__UINTMAX_TYPE__', 'long unsigned int'], ['__INTPTR_TYPE__', 'long int'], ['__UINTPTR_TYPE__', 'long unsigned int'],
  ['__CHAR16_TYPE__', 'short unsigned int'], ['__CHAR32_TYPE__', 'unsigned int'],
  ['__INT8_TYPE__', 'signed char'], ['__INT16_TYPE__', 'short int'], ['__INT32_TYPE__', 'int'], ['__INT64_TYPE__', 'long int'],
  ['__UINT8_TYPE__', 'unsigned char'], ['__UINT16_TYPE__', 'short unsigned int'], ['__UINT32_TYPE__', 'unsigned int'], ['__UINT64_TYPE__', 'long unsigned int'],
  ['__USER_LABEL_PREFIX__', ''], ['__REGISTER_PREFIX__', ''],
  ['__DATE__', FIXED_DATE], ['__TIME__', FIXED_TIME], ['__TIMESTAMP__', '"Mon Jan  1 00:00:00 2024"'],
  ['__KERNEL__', '1'], ['MODULE', '1'],
];

/** `__has_attribute` answers 1 for these (gcc 12 spellings, without the optional `__` wrapping). */
const GNU_ATTRIBUTES: ReadonlySet<string> = new Set([
  'access', 'alias', 'aligned', 'alloc_align', 'alloc_size', 'always_inline', 'artificial', 'assume_aligned', 'cleanup', 'cold', 'const',
  'constructor', 'copy', 'deprecated', 'designated_init', 'destructor', 'error', 'externally_visible', 'fallthrough', 'flatten', 'format',
  'format_arg', 'function_return', 'gnu_inline', 'hot', 'indirect_branch', 'leaf', 'malloc', 'may_alias', 'mode', 'no_instrument_function',
  'no_profile_instrument_function', 'no_reorder', 'no_sanitize', 'no_sanitize_address', 'no_sanitize_coverage', 'no_sanitize_undefined',
  'no_split_stack', 'no_stack_protector', 'noclone', 'nocommon', 'noinit', 'noinline', 'noipa', 'nonnull', 'nonstring', 'noplt', 'noreturn',
  'nothrow', 'optimize', 'packed', 'patchable_function_entry', 'pure', 'retain', 'returns_nonnull', 'returns_twice', 'section', 'sentinel',
  'simd', 'target', 'tls_model', 'transparent_union', 'unavailable', 'unused', 'used', 'vector_size', 'visibility', 'warn_if_not_aligned',
  'warn_unused_result', 'warning', 'weak', 'weakref', 'zero_call_used_regs',
]);

/** `__has_c_attribute` (C2x standard attributes gcc 12 knows). */
const C_ATTRIBUTES: ReadonlyMap<string, number> = new Map([
  ['deprecated', 201904], ['fallthrough', 201904], ['maybe_unused', 201904], ['nodiscard', 202003],
]);

const enum Builtin {
  None,
  File,
  Line,
  Counter,
  IncludeLevel,
  BaseFile,
  FileName,
  /** `__has_include` and friends: defined, but only meaningful in #if. */
  HasOperator,
}

const DYNAMIC: ReadonlyArray<readonly [string, Builtin]> = [
  ['__FILE__', Builtin.File], ['__LINE__', Builtin.Line], ['__COUNTER__', Builtin.Counter], ['__INCLUDE_LEVEL__', Builtin.IncludeLevel],
  ['__BASE_FILE__', Builtin.BaseFile], ['__FILE_NAME__', Builtin.FileName],
  ['__has_include', Builtin.HasOperator], ['__has_include_next', Builtin.HasOperator], ['__has_attribute', Builtin.HasOperator],
  ['__has_cpp_attribute', Builtin.HasOperator], ['__has_c_attribute', Builtin.HasOperator], ['__has_builtin', Builtin.HasOperator],
];

// ---------------------------------------------------------------------------------------------
// Internal shapes

/** An interned, immutable set of macro names; equal sets are the same object, so caches work by identity. */
class HideSet {
  readonly withName = new Map<string, HideSet>();
  readonly unions = new Map<HideSet, HideSet>();
  readonly intersections = new Map<HideSet, HideSet | undefined>();
  constructor(readonly names: ReadonlySet<string>, readonly key: string) {}
}

/** A token inside the preprocessor: the public Token plus its hide set (same shape as lex.ts makes). */
interface Tok extends Token {
  readonly hide: HideSet | undefined;
}

interface Origin extends MacroOrigin {
  /** Length of the origin chain, for maxExpansionDepth. */
  readonly depth: number;
}

interface Macro extends MacroDef {
  readonly body: readonly Tok[];
  /** For each body token, the index of the parameter it names, or -1. */
  readonly paramAt: readonly number[];
  /** The body uses `#`, `##` or `__VA_OPT__` (otherwise substitution is a plain copy). */
  readonly hasOperators: boolean;
  readonly builtin: Builtin;
}

interface Cond {
  /** The latest directive of the group (`if`, `ifdef`, `ifndef`, `elif`, `else`), for "unterminated #..." messages. */
  kind: string;
  /** The opening directive (`#` to the directive name). */
  readonly span: Span;
  /** Some group of this conditional was (or is being) processed. */
  taken: boolean;
  sawElse: boolean;
  /** Set on the `#ifndef X` that opens a file, while it may still be an include guard. */
  readonly guard: string | undefined;
}

interface FileInfo {
  readonly tokens: Tok[];
  readonly problems: LexProblem[];
  /** The include-guard macro, once known; null once known not to be guarded. */
  guard: string | null | undefined;
  /** How many frames of this file are open (include cycles). */
  open: number;
}

interface Frame {
  readonly file: SourceFile;
  readonly info: FileInfo;
  readonly toks: Tok[];
  pos: number;
  /** Next problem of `info.problems` not yet reported or dropped. */
  problem: number;
  readonly conds: Cond[];
  /** The `#include` that opened this file (undefined for the main file and the predefines). */
  readonly includedAt: Span | undefined;
  /** The file ends inside a skipped group (its last problems are dropped too). */
  skippedToEnd: boolean;
}

/** A source of tokens: a pushback stack over either the file reader or a finite list. */
interface Stream {
  readonly stack: Tok[];
  /** Reads files when the stack is empty (the top-level stream). */
  readonly fromFiles: boolean;
  /** Inside a #if expression: `defined` and `__has_*` are operators. */
  readonly inIf: boolean;
}

function mk(kind: TokenKind, text: string, span: Span, origin: MacroOrigin | undefined, spaceBefore: boolean, atLineStart: boolean, hide: HideSet | undefined): Tok {
  return { kind, text, span, origin, spaceBefore, atLineStart, hide };
}

function isName(t: Token): boolean {
  return t.kind === TokenKind.Ident || t.kind === TokenKind.Keyword;
}

function isPunct(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.kind === TokenKind.Punct && t.text === text;
}

function spanOf(first: Token, last: Token): Span {
  const a = first.span;
  const b = last.span;
  if (a.file !== b.file || b.end < a.start) return a;
  return { file: a.file, start: a.start, end: b.end };
}

function depthOf(o: MacroOrigin | undefined): number {
  return o ? (o as Origin).depth ?? 1 : 0;
}

/** The text of a directive line as written (splices removed), from `first` to `last`. */
function sourceText(first: Token, last: Token): string {
  if (first.span.file !== last.span.file || last.span.end < first.span.start) return first.text;
  return first.span.file.text.slice(first.span.start, last.span.end).replace(/\\[ \t]*\r?\n/g, '');
}

// ---------------------------------------------------------------------------------------------

class Preprocessor {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly macros = new Map<string, Macro>();
  private readonly frames: Frame[] = [];
  private readonly files = new Map<SourceFile, FileInfo>();
  private readonly includes: SourceFile[] = [];
  private readonly onceFiles = new Set<SourceFile>();
  private readonly onceNames = new Set<string>();
  private readonly inactive: Span[] = [];
  private readonly inactiveKeys = new Set<string>();
  private readonly reported = new Set<LexProblem>();
  private readonly hideSets = new Map<string, HideSet>();
  private readonly maxDepth: number;
  private readonly maxOutput: number;
  private readonly maxInclude: number;
  /** Tokens produced by substitution, bounded so that expansions whose output is discarded cannot run away. */
  private work = 0;
  private argDepth = 0;
  private counter = 0;
  private stopped = false;
  private depthReported = false;
  /** After an include cycle overflowed, files still open are not entered again (one report per cycle). */
  private cycleAborted = false;
  private mainFile: SourceFile | undefined;
  private readonly top: Stream = { stack: [], fromFiles: true, inIf: false };
  /** The placemarker of C11 6.10.3.3: stands for an empty argument during `##`, removed afterwards. */
  private readonly placemarker: Tok = mk(TokenKind.Punct, '', { file: new SourceFile('<placemarker>', ''), start: 0, end: 0 }, undefined, false, false, undefined);

  constructor(private readonly opts: PreprocessOptions) {
    this.maxDepth = opts.maxExpansionDepth ?? 200;
    this.maxOutput = opts.maxOutputTokens ?? 2_000_000;
    this.maxInclude = opts.maxIncludeDepth ?? 64;
  }

  run(file: SourceFile): PreprocessResult {
    this.mainFile = file;
    for (const [name, kind] of DYNAMIC) {
      this.macros.set(name, { name, params: undefined, variadic: false, body: [], nameSpan: undefined, paramAt: [], hasOperators: false, builtin: kind });
    }
    this.pushFile(file, undefined);
    const defines = Object.entries(this.opts.defines ?? {});
    if (defines.length > 0) {
      const text = defines.map(([k, v]) => `#define ${k} ${String(v).replace(/[\r\n]+/g, ' ')}\n`).join('');
      this.pushFile(new SourceFile('<command-line>', text, true), undefined);
    }
    this.pushFile(new SourceFile('<built-in>', PREDEFINED.map(([k, v]) => `#define ${k} ${v}\n`).join(''), true), undefined);

    const out: Token[] = [];
    for (;;) {
      const t = this.expandNext(this.top);
      if (!t || this.stopped) break;
      if (out.length >= this.maxOutput) {
        this.limit(userSpan(t), `the preprocessed program exceeds ${this.maxOutput} tokens; the rest of the file was not processed`);
        break;
      }
      if (t.kind === TokenKind.Punct && isStray(t.text)) {
        this.report('error', 'KM1001', userSpan(t), strayMessage(t.text));
        continue;
      }
      out.push(t);
    }
    const end = file.text.length;
    out.push(mk(TokenKind.EOF, '', { file, start: end, end }, undefined, false, true, undefined));
    return { tokens: out, diagnostics: this.diagnostics, includes: this.includes, macros: this.macros, inactiveRanges: this.inactive };
  }

  // -------------------------------------------------------------------------------------------
  // Diagnostics

  private report(severity: Severity, code: string, span: Span, message: string, related: Related[] = []): void {
    this.diagnostics.push({ code, rule: '', severity, span, message, related, fixes: [] });
  }

  private error(span: Span, message: string, related: Related[] = []): void {
    this.report('error', 'KM1002', span, message, related);
  }

  private warning(span: Span, message: string, related: Related[] = []): void {
    this.report('warning', 'KM1002', span, message, related);
  }

  /** A problem met during expansion: at the student's line, with the macros involved as related information. */
  private errorAt(t: Token, message: string): void {
    const related: Related[] = [];
    for (let o = t.origin; o; o = o.parent) related.push({ span: o.def ?? o.use, message: `in expansion of macro '${o.name}'` });
    this.error(userSpan(t), message, related);
  }

  private limit(span: Span, message: string): void {
    if (this.stopped) return;
    this.report('error', 'KM9002', span, message);
    this.stopped = true;
  }

  // -------------------------------------------------------------------------------------------
  // Files

  private fileInfo(file: SourceFile): FileInfo {
    let info = this.files.get(file);
    if (!info) {
      const r = lexFile(file, true);
      info = { tokens: r.tokens as Tok[], problems: r.problems, guard: undefined, open: 0 };
      this.files.set(file, info);
    }
    return info;
  }

  private pushFile(file: SourceFile, includedAt: Span | undefined): void {
    const info = this.fileInfo(file);
    info.open++;
    this.frames.push({ file, info, toks: info.tokens, pos: 0, problem: 0, conds: [], includedAt, skippedToEnd: false });
  }

  /** Report (or drop) the lexical problems of tokens before index `upto`. */
  private flushProblems(f: Frame, upto: number, emit: boolean): void {
    const probs = f.info.problems;
    while (f.problem < probs.length && probs[f.problem].token < upto) {
      const p = probs[f.problem++];
      if ((emit || p.always) && !this.reported.has(p)) {
        this.reported.add(p);
        this.report(p.severity, p.code, { file: f.file, start: p.start, end: p.end }, p.message);
      }
    }
  }

  private popFile(f: Frame): void {
    this.flushProblems(f, f.toks.length, !f.skippedToEnd);
    if (!this.stopped) {
      for (let k = f.conds.length - 1; k >= 0; k--) this.error(f.conds[k].span, `unterminated #${f.conds[k].kind}`);
    }
    if (f.info.guard === undefined) f.info.guard = null;
    f.info.open--;
    this.frames.pop();
  }

  /**
   * The next token from the files, running directives on the way. At the end of a file, pops it
   * when `mayPop`; otherwise (collecting macro arguments) returns undefined: an invocation cannot
   * run past the end of its file.
   */
  private readFile(mayPop: boolean): Tok | undefined {
    for (;;) {
      if (this.stopped) return undefined;
      const f = this.frames[this.frames.length - 1];
      if (!f) return undefined;
      const t = f.toks[f.pos];
      if (t.kind === TokenKind.EOF) {
        if (!mayPop) return undefined;
        this.popFile(f);
        continue;
      }
      if (t.atLineStart && t.kind === TokenKind.Punct && t.text === '#') {
        this.directive(f);
        continue;
      }
      f.pos++;
      if (f.problem < f.info.problems.length) this.flushProblems(f, f.pos, true);
      return t;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Directives

  private directive(f: Frame): void {
    const hash = f.toks[f.pos];
    const first = f.pos + 1;
    let end = first;
    while (f.toks[end].kind !== TokenKind.EOF && !f.toks[end].atLineStart) end++;
    const line = f.toks.slice(first, end);
    f.pos = end;
    const name = line[0];
    if (!name) {
      this.flushProblems(f, end, true);
      return; // The null directive.
    }
    const d = name.text;
    this.flushProblems(f, end, d !== 'error' && d !== 'warning');
    if (name.kind === TokenKind.Number) return; // A GNU line marker: `# 33 "file.c"`.
    if (!isName(name)) {
      this.error(name.span, `invalid preprocessing directive #${d}`);
      return;
    }
    const dirSpan = spanOf(hash, name);
    switch (d) {
      case 'define':
        this.define(line);
        return;
      case 'undef':
        this.undef(line);
        return;
      case 'include':
      case 'include_next':
      case 'import':
        this.include(line, f);
        return;
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        const value = d === 'if' ? this.condition(line, 'if') : this.definedTest(line, d);
        const guard = d === 'ifndef' && first === 1 && line.length === 2 && f.info.guard === undefined ? line[1].text : undefined;
        f.conds.push({ kind: d, span: dirSpan, taken: value, sawElse: false, guard });
        if (!value) this.skipGroup(f, line[line.length - 1]);
        return;
      }
      case 'elif':
      case 'elifdef':
      case 'elifndef': {
        const c = f.conds[f.conds.length - 1];
        if (!c) {
          this.error(name.span, `#${d} without #if`);
          return;
        }
        if (c.sawElse) this.error(name.span, `#${d} after #else`);
        c.kind = d;
        if (c.taken) {
          this.skipGroup(f, line[line.length - 1]);
          return;
        }
        const value = d === 'elif' ? this.condition(line, 'elif') : this.definedTest(line, d);
        c.taken = value;
        if (!value) this.skipGroup(f, line[line.length - 1]);
        return;
      }
      case 'else': {
        const c = f.conds[f.conds.length - 1];
        if (!c) {
          this.error(name.span, '#else without #if');
          return;
        }
        if (c.sawElse) this.error(name.span, '#else after #else');
        this.extraTokens(line, 'else');
        c.kind = 'else';
        c.sawElse = true;
        if (c.taken) this.skipGroup(f, line[line.length - 1]);
        else c.taken = true;
        return;
      }
      case 'endif': {
        const c = f.conds.pop();
        if (!c) {
          this.error(name.span, '#endif without #if');
          return;
        }
        this.extraTokens(line, 'endif');
        // An include guard: `#ifndef X` first, its `#endif` last, and no #else.
        if (c.guard !== undefined && f.info.guard === undefined) {
          f.info.guard = !c.sawElse && c.kind === 'ifndef' && f.toks[f.pos].kind === TokenKind.EOF ? c.guard : null;
        }
        return;
      }
      case 'error':
      case 'warning': {
        const last = line[line.length - 1];
        const msg = line.length > 1 ? `#${d} ${sourceText(line[1], last)}` : `#${d}`;
        const sp = spanOf(name, last);
        if (d === 'error') this.report('error', 'KM1003', sp, msg);
        else this.report('warning', 'KM2006', sp, msg);
        return;
      }
      case 'pragma':
        if (line[1] && line[1].text === 'once') this.markOnce(f.file);
        return;
      case 'line':
      case 'ident':
      case 'sccs':
      case 'assert':
      case 'unassert':
        return; // Accepted; they do not change the program.
      default:
        this.error(name.span, `invalid preprocessing directive #${d}`);
    }
  }

  private markOnce(file: SourceFile): void {
    this.onceFiles.add(file);
    this.onceNames.add(file.name);
  }

  private extraTokens(line: Tok[], d: string): void {
    if (line.length > 1) this.warning(spanOf(line[1], line[line.length - 1]), `extra tokens at end of #${d} directive`);
  }

  /**
   * Skip a group whose condition is false: stop at the `#` of the #elif/#else/#endif that closes
   * it (the directive loop handles that one). Records the skipped lines as an inactive range.
   */
  private skipGroup(f: Frame, lastOfDirective: Tok): void {
    const toks = f.toks;
    let depth = 0;
    let i = f.pos;
    for (; toks[i].kind !== TokenKind.EOF; i++) {
      const t = toks[i];
      if (!t.atLineStart || t.kind !== TokenKind.Punct || t.text !== '#') continue;
      const d = toks[i + 1];
      if (d.atLineStart || !isName(d)) continue;
      const n = d.text;
      if (n === 'if' || n === 'ifdef' || n === 'ifndef') depth++;
      else if (n === 'endif') {
        if (depth === 0) break;
        depth--;
      } else if ((n === 'else' || n === 'elif' || n === 'elifdef' || n === 'elifndef') && depth === 0) break;
    }
    this.flushProblems(f, i, false);
    f.pos = i;
    f.skippedToEnd = toks[i].kind === TokenKind.EOF;
    const text = f.file.text;
    const nl = text.indexOf('\n', lastOfDirective.span.end);
    const start = nl < 0 ? text.length : nl + 1;
    const stop = toks[i].kind === TokenKind.EOF ? text.length : text.lastIndexOf('\n', toks[i].span.start - 1) + 1;
    if (stop > start) {
      const key = `${f.file.name}:${start}`;
      if (!this.inactiveKeys.has(key)) {
        this.inactiveKeys.add(key);
        this.inactive.push({ file: f.file, start, end: stop });
      }
    }
  }

  /** `#ifdef X`, `#ifndef X`, `#elifdef X`, `#elifndef X`. */
  private definedTest(line: Tok[], d: string): boolean {
    const n = line[1];
    if (!n) {
      this.error(line[0].span, `no macro name given in #${d} directive`);
      return false;
    }
    if (!isName(n)) {
      this.error(n.span, 'macro names must be identifiers');
      return false;
    }
    if (line.length > 2) this.extraTokens(line.slice(1), d);
    const defined = this.macros.has(n.text);
    return d.endsWith('ndef') ? !defined : defined;
  }

  private define(line: Tok[]): void {
    const nameTok = line[1];
    if (!nameTok) {
      this.error(line[0].span, 'no macro name given in #define directive');
      return;
    }
    if (!isName(nameTok)) {
      this.error(nameTok.span, 'macro names must be identifiers');
      return;
    }
    const name = nameTok.text;
    if (name === 'defined') {
      this.error(nameTok.span, '"defined" cannot be used as a macro name');
      return;
    }
    if (name === '__VA_ARGS__' || name === '__VA_OPT__') {
      this.error(nameTok.span, `${name} can only appear in the expansion of a C99 variadic macro`);
      return;
    }
    let params: string[] | undefined;
    let variadic = false;
    let i = 2;
    if (isPunct(line[2], '(') && !line[2].spaceBefore) {
      params = [];
      i = 3;
      let ok = false;
      if (isPunct(line[i], ')')) {
        ok = true;
        i++;
      } else {
        for (;;) {
          const p = line[i];
          if (!p) {
            this.error(line[i - 1].span, "missing ')' in macro parameter list");
            break;
          }
          if (isPunct(p, '...')) {
            variadic = true;
            params.push('__VA_ARGS__');
            if (!isPunct(line[i + 1], ')')) {
              this.error((line[i + 1] ?? p).span, 'expected \')\' after "..."');
              break;
            }
            ok = true;
            i += 2;
            break;
          }
          if (!isName(p)) {
            this.error(p.span, `expected parameter name, found "${p.text}"`);
            break;
          }
          if (p.text === '__VA_ARGS__') {
            this.error(p.span, '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro');
            break;
          }
          if (params.includes(p.text)) {
            this.error(p.span, `duplicate macro parameter "${p.text}"`);
            break;
          }
          params.push(p.text);
          const sep = line[i + 1];
          if (isPunct(sep, '...')) {
            // GNU named variadic parameter: `args...`.
            variadic = true;
            if (!isPunct(line[i + 2], ')')) {
              this.error((line[i + 2] ?? sep).span, 'expected \')\' after "..."');
              break;
            }
            ok = true;
            i += 3;
            break;
          }
          if (isPunct(sep, ')')) {
            ok = true;
            i += 2;
            break;
          }
          if (!isPunct(sep, ',')) {
            this.error((sep ?? p).span, sep ? `expected ',' or ')', found "${sep.text}"` : "missing ')' in macro parameter list");
            break;
          }
          i += 2;
        }
      }
      if (!ok) return;
    }
    const body = line.slice(i);
    const paramAt = body.map((t) => (params && isName(t) ? params.indexOf(t.text) : -1));
    let hasOperators = false;
    for (let k = 0; k < body.length; k++) {
      const t = body[k];
      if (t.kind === TokenKind.Punct && t.text === '##') {
        hasOperators = true;
        if (k === 0 || k === body.length - 1) {
          this.error(t.span, "'##' cannot appear at either end of a macro expansion");
          return;
        }
      } else if (params && t.kind === TokenKind.Punct && t.text === '#') {
        hasOperators = true;
        const next = body[k + 1];
        if (!next || (paramAt[k + 1] < 0 && !(variadic && next.text === '__VA_OPT__'))) {
          this.error(t.span, "'#' is not followed by a macro parameter");
          return;
        }
      } else if (isName(t) && (t.text === '__VA_ARGS__' || t.text === '__VA_OPT__')) {
        if (variadic) hasOperators ||= t.text === '__VA_OPT__';
        else this.warning(t.span, `${t.text} can only appear in the expansion of a C99 variadic macro`);
      }
    }
    const m: Macro = { name, params, variadic, body, nameSpan: nameTok.span, paramAt, hasOperators, builtin: Builtin.None };
    const old = this.macros.get(name);
    if (old && !sameDefinition(old, m)) {
      const related = old.nameSpan ? [{ span: old.nameSpan, message: 'this is the location of the previous definition' }] : [];
      this.warning(nameTok.span, `"${name}" redefined`, related);
    }
    this.macros.set(name, m);
  }

  private undef(line: Tok[]): void {
    const n = line[1];
    if (!n) {
      this.error(line[0].span, 'no macro name given in #undef directive');
      return;
    }
    if (!isName(n)) {
      this.error(n.span, 'macro names must be identifiers');
      return;
    }
    if (n.text === 'defined') {
      this.error(n.span, '"defined" cannot be used as a macro name');
      return;
    }
    if (line.length > 2) this.extraTokens(line.slice(1), 'undef');
    const m = this.macros.get(n.text);
    if (m && m.builtin !== Builtin.None) this.warning(n.span, `undefining "${n.text}"`);
    this.macros.delete(n.text);
  }

  // -------------------------------------------------------------------------------------------
  // #include

  /** The header name of an #include or __has_include operand: `"x"` or `< ... >` from tokens. */
  private headerName(toks: Tok[]): { name: string; kind: 'system' | 'quote'; span: Span; rest: number } | undefined {
    const t = toks[0];
    if (!t) return undefined;
    if (t.kind === TokenKind.String) {
      if (!t.text.startsWith('"')) return undefined;
      const closed = t.text.length >= 2 && t.text.endsWith('"');
      return { name: t.text.slice(1, closed ? -1 : undefined), kind: 'quote', span: t.span, rest: 1 };
    }
    if (!isPunct(t, '<')) return undefined;
    let j = 1;
    while (j < toks.length && !isPunct(toks[j], '>')) j++;
    if (j === toks.length) {
      this.error(t.span, 'missing terminating > character');
      return { name: '', kind: 'system', span: t.span, rest: toks.length };
    }
    const close = toks[j];
    let name: string;
    if (t.origin === undefined && close.origin === undefined && t.span.file === close.span.file) {
      // As written between the brackets (the tokens were lexed as C, the name is not C).
      name = sourceText(t, close).slice(1, -1);
    } else {
      name = '';
      for (let k = 1; k < j; k++) name += (k > 1 && toks[k].spaceBefore ? ' ' : '') + toks[k].text;
    }
    return { name, kind: 'system', span: spanOf(t, close), rest: j + 1 };
  }

  private include(line: Tok[], f: Frame): void {
    const dir = line[0];
    let operand = line.slice(1);
    if (operand.length > 0 && operand[0].kind !== TokenKind.String && !isPunct(operand[0], '<')) {
      operand = this.expandList(operand, false); // A computed include.
    }
    const h = this.headerName(operand);
    if (!h) {
      this.error(operand[0] ? userSpan(operand[0]) : dir.span, `#${dir.text} expects "FILENAME" or <FILENAME>`);
      return;
    }
    if (h.rest < operand.length) this.warning(userSpan(operand[h.rest]), `extra tokens at end of #${dir.text} directive`);
    if (h.name === '') {
      this.error(h.span, `empty filename in #${dir.text}`);
      return;
    }
    if (h.kind === 'quote' && leavesModuleFolder(h.name)) {
      this.report('error', 'KM1005', h.span, `${h.name}: outside the module's folder; #include "..." reads only files in the module's own folder`);
      return;
    }
    const found = this.resolve(h.name, h.kind, f.file);
    if (!found) {
      this.report('error', 'KM1004', h.span, `${h.name}: No such file or directory`);
      return;
    }
    if (dir.text === 'import') this.markOnce(found);
    this.enter(found, spanOf(dir, line[line.length - 1]), h.span);
  }

  private resolve(name: string, kind: 'system' | 'quote', from: SourceFile): SourceFile | undefined {
    return (kind === 'quote' ? this.opts.resolveInclude(name, 'quote', from) : undefined) ?? this.opts.resolveInclude(name, 'system', from);
  }

  private enter(file: SourceFile, directive: Span, nameSpan: Span): void {
    if (this.onceFiles.has(file) || this.onceNames.has(file.name)) return;
    const info = this.fileInfo(file);
    if (typeof info.guard === 'string' && this.macros.has(info.guard)) return;
    if (this.cycleAborted && info.open > 0) return;
    if (this.frames.length >= this.maxInclude) {
      const related: Related[] = [];
      const k = this.frames.findIndex((fr) => fr.file === file);
      if (k >= 0) {
        const chain = this.frames.slice(k).map((fr) => fr.file.name);
        chain.push(file.name);
        const at = this.frames[k].includedAt;
        related.push({ span: at ?? directive, message: `'${file.name}' includes itself (${chain.join(' → ')}); add an include guard or #pragma once` });
        this.cycleAborted = true;
      }
      this.error(nameSpan, `#include nested depth ${this.frames.length} exceeds maximum of ${this.maxInclude}`, related);
      return;
    }
    if (!this.includes.includes(file)) this.includes.push(file);
    this.pushFile(file, directive);
  }

  // -------------------------------------------------------------------------------------------
  // Macro expansion

  private hideOf(names: string[]): HideSet {
    names.sort();
    const key = names.join(',');
    let h = this.hideSets.get(key);
    if (!h) {
      h = new HideSet(new Set(names), key);
      this.hideSets.set(key, h);
    }
    return h;
  }

  private hideAdd(h: HideSet | undefined, name: string): HideSet {
    if (!h) return this.hideOf([name]);
    if (h.names.has(name)) return h;
    let r = h.withName.get(name);
    if (!r) {
      r = this.hideOf([...h.names, name]);
      h.withName.set(name, r);
    }
    return r;
  }

  private hideUnion(a: HideSet | undefined, b: HideSet | undefined): HideSet | undefined {
    if (!a || a === b) return b;
    if (!b) return a;
    let r = a.unions.get(b);
    if (!r) {
      r = this.hideOf([...new Set([...a.names, ...b.names])]);
      a.unions.set(b, r);
    }
    return r;
  }

  private hideIntersect(a: HideSet | undefined, b: HideSet | undefined): HideSet | undefined {
    if (!a || !b) return undefined;
    if (a === b) return a;
    if (a.intersections.has(b)) return a.intersections.get(b);
    const names = [...a.names].filter((n) => b.names.has(n));
    const r = names.length > 0 ? this.hideOf(names) : undefined;
    a.intersections.set(b, r);
    return r;
  }

  private next(s: Stream): Tok | undefined {
    if (s.stack.length > 0) return s.stack.pop();
    return s.fromFiles ? this.readFile(true) : undefined;
  }

  /** Next token while collecting arguments: never past the end of the current file. */
  private nextInArgs(s: Stream): Tok | undefined {
    if (s.stack.length > 0) return s.stack.pop();
    return s.fromFiles ? this.readFile(false) : undefined;
  }

  /** Fully macro-expand a token list on its own (an argument, a computed #include, a #if line). */
  private expandList(list: readonly Tok[], inIf: boolean): Tok[] {
    if (!inIf && !this.mayExpand(list)) return list as Tok[];
    const s: Stream = { stack: [], fromFiles: false, inIf };
    for (let k = list.length - 1; k >= 0; k--) s.stack.push(list[k]);
    const out: Tok[] = [];
    if (this.argDepth >= this.maxDepth) {
      if (list.length > 0) this.tooDeep(list[0]);
      return list.slice();
    }
    this.argDepth++;
    for (;;) {
      const t = this.expandNext(s);
      if (!t) break;
      out.push(t);
    }
    this.argDepth--;
    return out;
  }

  /** False when no token of `list` can start an expansion (most arguments): expanding it is the identity. */
  private mayExpand(list: readonly Tok[]): boolean {
    for (let k = 0; k < list.length; k++) {
      const t = list[k];
      if ((t.kind === TokenKind.Ident || t.kind === TokenKind.Keyword) && (this.macros.has(t.text) || t.text === '_Pragma')) return true;
    }
    return false;
  }

  private tooDeep(t: Tok): void {
    if (this.depthReported) return;
    this.depthReported = true;
    this.report('error', 'KM9002', userSpan(t), `macro expansion nested deeper than ${this.maxDepth} levels; '${t.text}' was left unexpanded`);
  }

  /** The next fully expanded token of `s`, or undefined at its end. */
  private expandNext(s: Stream): Tok | undefined {
    for (;;) {
      if (this.stopped) return undefined;
      const t = this.next(s);
      if (!t) return undefined;
      if (t.kind !== TokenKind.Ident && t.kind !== TokenKind.Keyword) return t;
      if (s.inIf) {
        const op = this.ifOperator(t, s);
        if (op) return op;
      }
      const m = this.macros.get(t.text);
      if (!m) {
        if (t.text === '_Pragma' && !s.inIf && this.pragmaOperator(t, s)) continue;
        return t;
      }
      if (t.hide && t.hide.names.has(t.text)) return t;
      if (m.builtin !== Builtin.None) {
        if (m.builtin === Builtin.HasOperator) return t;
        return this.builtinToken(m, t);
      }
      if (depthOf(t.origin) >= this.maxDepth) {
        this.tooDeep(t);
        return t;
      }
      if (!m.params) {
        this.pushExpansion(s, t, this.substitute(m, t, [], this.hideAdd(t.hide, m.name)));
        continue;
      }
      // Function-like: only when the next token is `(` (possibly on a later line).
      const lp = this.nextInArgs(s);
      if (!lp) return t;
      if (!isPunct(lp, '(')) {
        s.stack.push(lp);
        return t;
      }
      const call = this.collectArgs(m, t, lp, s);
      if (!call) return t;
      const hs = this.hideAdd(this.hideIntersect(t.hide, call.rparen.hide), m.name);
      this.pushExpansion(s, t, this.substitute(m, t, call.args, hs));
    }
  }

  private pushExpansion(s: Stream, nameTok: Tok, res: Tok[]): void {
    this.work += res.length;
    // Nested arguments are expanded before substitution, so expansion work can exceed the output;
    // twice the output limit still stops an exponential macro within seconds.
    if (this.work > this.maxOutput * 2) {
      this.limit(userSpan(nameTok), `macro expansion produced more than ${this.maxOutput * 2} tokens; the rest of the file was not processed`);
      return;
    }
    for (let k = res.length - 1; k >= 0; k--) s.stack.push(res[k]);
  }

  /** Read the arguments after `(`; undefined (tokens pushed back) on a wrong count or a missing `)`. */
  private collectArgs(m: Macro, nameTok: Tok, lparen: Tok, s: Stream): { args: Tok[][]; rparen: Tok } | undefined {
    const params = m.params ?? [];
    const restIndex = m.variadic ? params.length - 1 : -1;
    const args: Tok[][] = [];
    /** The separating commas, to give the tokens back on an error. */
    const commas: Tok[] = [];
    let cur: Tok[] = [];
    let depth = 0;
    let rparen: Tok | undefined;
    for (;;) {
      const t = this.nextInArgs(s);
      if (!t) {
        args.push(cur);
        break;
      }
      if (t.kind === TokenKind.Punct) {
        if (t.text === '(') depth++;
        else if (t.text === ')') {
          if (depth === 0) {
            rparen = t;
            args.push(cur);
            break;
          }
          depth--;
        } else if (t.text === ',' && depth === 0 && args.length !== restIndex) {
          args.push(cur);
          commas.push(t);
          cur = [];
          continue;
        }
      }
      cur.push(t);
    }
    const giveBack = () => {
      if (rparen) s.stack.push(rparen);
      for (let a = args.length - 1; a >= 0; a--) {
        const arg = args[a];
        for (let k = arg.length - 1; k >= 0; k--) s.stack.push(arg[k]);
        if (a > 0) s.stack.push(commas[a - 1]);
      }
      s.stack.push(lparen);
    };
    if (!rparen) {
      this.errorAt(nameTok, `unterminated argument list invoking macro "${m.name}"`);
      giveBack();
      return undefined;
    }
    const n = params.length === 0 && args.length === 1 && args[0].length === 0 ? 0 : args.length;
    if (n < params.length) {
      if (m.variadic && n === params.length - 1) args.push([]);
      else {
        this.errorAt(nameTok, `macro "${m.name}" requires ${params.length} arguments, but only ${n} given`);
        giveBack();
        return undefined;
      }
    } else if (n > params.length) {
      this.errorAt(nameTok, `macro "${m.name}" passed ${n} arguments, but takes just ${params.length}`);
      giveBack();
      return undefined;
    }
    if (n === 0) args.length = 0;
    return { args, rparen };
  }

  /** The replacement of one invocation, with hide sets and origins applied. */
  private substitute(m: Macro, nameTok: Tok, args: Tok[][], hs: HideSet): Tok[] {
    const origin: Origin = { name: m.name, use: nameTok.span, def: m.nameSpan, parent: nameTok.origin, depth: depthOf(nameTok.origin) + 1 };
    const body = m.body;
    if (!m.hasOperators && args.length === 0) {
      const res = new Array<Tok>(body.length);
      for (let k = 0; k < body.length; k++) {
        const b = body[k];
        res[k] = k === 0 ? mk(b.kind, b.text, b.span, origin, nameTok.spaceBefore, nameTok.atLineStart, hs) : mk(b.kind, b.text, b.span, origin, b.spaceBefore, false, hs);
      }
      return res;
    }
    const ctx: SubstContext = { m, args, origin, hs, expanded: new Array<Tok[] | undefined>(args.length), placemarkers: false };
    let res = this.substRange(ctx, 0, body.length);
    if (ctx.placemarkers) res = res.filter((t) => t !== this.placemarker);
    if (res.length > 0) {
      const f = res[0];
      if (f.spaceBefore !== nameTok.spaceBefore || f.atLineStart !== nameTok.atLineStart) {
        res[0] = mk(f.kind, f.text, f.span, f.origin, nameTok.spaceBefore, nameTok.atLineStart, f.hide);
      }
    }
    return res;
  }

  private expandedArg(ctx: SubstContext, k: number): Tok[] {
    let e = ctx.expanded[k];
    if (!e) {
      e = this.expandList(ctx.args[k], false);
      ctx.expanded[k] = e;
    }
    return e;
  }

  /** Argument tokens copied into the result: own span and origin, hide set joined with the invocation's. */
  private pushArg(ctx: SubstContext, out: Tok[], arg: readonly Tok[], spaceBefore: boolean): void {
    if (arg.length === 0) {
      out.push(this.placemarker);
      ctx.placemarkers = true;
      return;
    }
    for (let k = 0; k < arg.length; k++) {
      const a = arg[k];
      out.push(mk(a.kind, a.text, a.span, a.origin, k === 0 ? spaceBefore : a.spaceBefore, false, this.hideUnion(a.hide, ctx.hs)));
    }
  }

  private bodyTok(ctx: SubstContext, b: Tok): Tok {
    return mk(b.kind, b.text, b.span, ctx.origin, b.spaceBefore, false, ctx.hs);
  }

  /** The index of the `)` closing the `__VA_OPT__(` whose `(` is at `open`, or -1. */
  private static closeOfVaOpt(body: readonly Tok[], open: number, to: number): number {
    let depth = 0;
    for (let k = open; k < to; k++) {
      if (isPunct(body[k], '(')) depth++;
      else if (isPunct(body[k], ')') && --depth === 0) return k;
    }
    return -1;
  }

  private varArgsPresent(ctx: SubstContext): boolean {
    const params = ctx.m.params;
    return !!params && ctx.m.variadic && (ctx.args[params.length - 1]?.length ?? 0) > 0;
  }

  /** Is body[k] (within [.., to)) `#` applied to a parameter? */
  private static isStringize(m: Macro, k: number, to: number): boolean {
    return m.params !== undefined && isPunct(m.body[k], '#') && k + 1 < to && m.paramAt[k + 1] >= 0;
  }

  /** Is body[k] the start of `__VA_OPT__(...)`? Returns the index of its `)` or -1. */
  private static vaOptEnd(m: Macro, k: number, to: number): number {
    const b = m.body[k];
    if (!m.variadic || b.text !== '__VA_OPT__' || !isName(b) || !isPunct(m.body[k + 1], '(')) return -1;
    return Preprocessor.closeOfVaOpt(m.body, k + 1, to);
  }

  /**
   * One operand of `##` at body[k], appended to `out` unexpanded: a stringized parameter, a
   * parameter, a `__VA_OPT__` group or a body token. Returns the index after it.
   */
  private operand(ctx: SubstContext, out: Tok[], k: number, to: number): number {
    const m = ctx.m;
    const b = m.body[k];
    if (Preprocessor.isStringize(m, k, to)) {
      out.push(this.stringize(ctx, b, m.body[k + 1], ctx.args[m.paramAt[k + 1]]));
      return k + 2;
    }
    if (m.paramAt[k] >= 0) {
      this.pushArg(ctx, out, ctx.args[m.paramAt[k]], b.spaceBefore);
      return k + 1;
    }
    const close = Preprocessor.vaOptEnd(m, k, to);
    if (close > 0) {
      const inner = this.varArgsPresent(ctx) ? this.substRange(ctx, k + 2, close) : [];
      if (inner.length === 0) {
        out.push(this.placemarker);
        ctx.placemarkers = true;
      } else for (const t of inner) out.push(t);
      return close + 1;
    }
    out.push(this.bodyTok(ctx, b));
    return k + 1;
  }

  /** Substitute body[from, to): `#`, `##`, parameters, `__VA_OPT__`. May leave placemarkers. */
  private substRange(ctx: SubstContext, from: number, to: number): Tok[] {
    const { m, args } = ctx;
    const body = m.body;
    const paramAt = m.paramAt;
    const out: Tok[] = [];
    let k = from;
    while (k < to) {
      const b = body[k];
      const nextIsPaste = k + 1 < to && isPunct(body[k + 1], '##');
      if (b.kind === TokenKind.Punct && b.text === '##' && k > from && k + 1 < to) {
        const rhsIndex = k + 1;
        // GNU: `, ## __VA_ARGS__` drops the comma when the variable arguments are empty.
        const isRest = m.variadic && paramAt[rhsIndex] === (m.params?.length ?? 0) - 1;
        const prev = out[out.length - 1];
        if (isRest && prev && prev.origin === ctx.origin && isPunct(prev, ',') && isPunct(body[k - 1], ',')) {
          if (!this.varArgsPresent(ctx)) out.pop();
          else this.pushArg(ctx, out, args[paramAt[rhsIndex]], body[rhsIndex].spaceBefore);
          k = rhsIndex + 1;
          continue;
        }
        const lhs = out.pop() ?? this.placemarker;
        const mark = out.length;
        k = this.operand(ctx, out, rhsIndex, to);
        const rhs = out.length > mark ? out[mark] : this.placemarker;
        const pasted = this.paste(ctx, b, lhs, rhs);
        // Put the paste result where the first token of the right operand was.
        if (out.length > mark) out.splice(mark, 1, ...pasted);
        else for (const p of pasted) out.push(p);
        continue;
      }
      const p = paramAt[k];
      if (p >= 0) {
        // Next to `##` the argument is used as written; otherwise fully expanded.
        this.pushArg(ctx, out, nextIsPaste ? args[p] : this.expandedArg(ctx, p), b.spaceBefore);
        k++;
        continue;
      }
      if ((b.kind === TokenKind.Punct && b.text === '#') || b.text === '__VA_OPT__') {
        k = this.operand(ctx, out, k, to);
        continue;
      }
      out.push(this.bodyTok(ctx, b));
      k++;
    }
    return out;
  }

  /** `#param`: the argument's spelling as a string literal (C11 6.10.3.2). */
  private stringize(ctx: SubstContext, hash: Tok, param: Tok, arg: readonly Tok[]): Tok {
    let s = '';
    for (let k = 0; k < arg.length; k++) {
      const a = arg[k];
      if (k > 0 && a.spaceBefore) s += ' ';
      s += a.kind === TokenKind.String || a.kind === TokenKind.Char ? a.text.replace(/[\\"]/g, '\\$&') : a.text;
    }
    return mk(TokenKind.String, `"${s}"`, spanOf(hash, param), ctx.origin, hash.spaceBefore, false, ctx.hs);
  }

  /** `lhs ## rhs`: one token, or both unchanged and an error when the result is not a token. */
  private paste(ctx: SubstContext, op: Tok, lhs: Tok, rhs: Tok): Tok[] {
    if (lhs === this.placemarker) return [rhs];
    if (rhs === this.placemarker) return [lhs];
    const text = lhs.text + rhs.text;
    const kind = classifyToken(text);
    if (kind === undefined) {
      const t = mk(op.kind, op.text, op.span, ctx.origin, false, false, undefined);
      this.errorAt(t, `pasting "${lhs.text}" and "${rhs.text}" does not give a valid preprocessing token`);
      return [lhs, rhs];
    }
    const span = lhs.origin === ctx.origin ? lhs.span : rhs.origin === ctx.origin ? rhs.span : lhs.span;
    return [mk(kind, text, span, ctx.origin, lhs.spaceBefore, false, this.hideUnion(this.hideIntersect(lhs.hide, rhs.hide), ctx.hs))];
  }

  private builtinToken(m: Macro, t: Tok): Tok {
    const origin: Origin = { name: m.name, use: t.span, def: undefined, parent: t.origin, depth: depthOf(t.origin) + 1 };
    const at = userSpan(t);
    let kind = TokenKind.Number;
    let text: string;
    switch (m.builtin) {
      case Builtin.File:
        kind = TokenKind.String;
        text = JSON.stringify(at.file.name);
        break;
      case Builtin.Line:
        text = String(at.file.position(at.start).line);
        break;
      case Builtin.Counter:
        text = String(this.counter++);
        break;
      case Builtin.IncludeLevel:
        text = String(Math.max(0, this.frames.length - 1));
        break;
      case Builtin.BaseFile:
        kind = TokenKind.String;
        text = JSON.stringify(this.mainFile?.name ?? '');
        break;
      default:
        kind = TokenKind.String;
        text = JSON.stringify(at.file.name.replace(/^.*[\\/]/, ''));
    }
    return mk(kind, text, t.span, origin, t.spaceBefore, t.atLineStart, t.hide);
  }

  /** `_Pragma("...")` outside directives: consumed and ignored (`_Pragma("once")` marks the file). */
  private pragmaOperator(t: Tok, s: Stream): boolean {
    const lp = this.nextInArgs(s);
    if (!lp) return false;
    if (!isPunct(lp, '(')) {
      s.stack.push(lp);
      return false;
    }
    const str = this.nextInArgs(s);
    const rp = str ? this.nextInArgs(s) : undefined;
    if (!str || str.kind !== TokenKind.String || !rp || !isPunct(rp, ')')) {
      if (rp) s.stack.push(rp);
      if (str) s.stack.push(str);
      this.errorAt(t, '_Pragma takes a parenthesized string literal');
      return true;
    }
    if (/^"\s*once\s*"$/.test(str.text)) {
      const f = this.frames[this.frames.length - 1];
      if (f) this.markOnce(f.file);
    }
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // #if

  private numberTok(t: Tok, value: number | boolean): Tok {
    return mk(TokenKind.Number, String(Number(value)), t.span, t.origin, t.spaceBefore, false, undefined);
  }

  /** `defined X`, `defined(X)` and the `__has_*` operators inside a #if line; undefined for other names. */
  private ifOperator(t: Tok, s: Stream): Tok | undefined {
    const name = t.text;
    if (name === 'defined') {
      let n = this.next(s);
      const paren = n !== undefined && isPunct(n, '(');
      if (paren) n = this.next(s);
      if (!n || !isName(n)) {
        this.errorAt(n ?? t, 'operator "defined" requires an identifier');
        this.ifFailed = true;
        return this.numberTok(t, 0);
      }
      if (paren) {
        const rp = this.next(s);
        if (!rp || !isPunct(rp, ')')) {
          this.errorAt(rp ?? n, 'missing \')\' after "defined"');
          this.ifFailed = true;
          if (rp) s.stack.push(rp);
        }
      }
      return this.numberTok(t, this.macros.has(n.text));
    }
    if (!name.startsWith('__has_')) return undefined;
    const m = this.macros.get(name);
    if (!m || m.builtin !== Builtin.HasOperator) return undefined;
    const lp = this.next(s);
    if (!lp || !isPunct(lp, '(')) {
      this.errorAt(lp ?? t, `missing '(' before "${name}" operand`);
      this.ifFailed = true;
      if (lp) s.stack.push(lp);
      return this.numberTok(t, 0);
    }
    const operand: Tok[] = [];
    let depth = 0;
    let rp: Tok | undefined;
    for (;;) {
      const x = this.next(s);
      if (!x) break;
      if (isPunct(x, '(')) depth++;
      else if (isPunct(x, ')') && depth-- === 0) {
        rp = x;
        break;
      }
      operand.push(x);
    }
    if (!rp) {
      this.errorAt(t, `missing ')' after "${name}" operand`);
      this.ifFailed = true;
      return this.numberTok(t, 0);
    }
    if (name === '__has_include' || name === '__has_include_next') {
      let ops = operand;
      if (ops.length > 0 && ops[0].kind !== TokenKind.String && !isPunct(ops[0], '<')) ops = this.expandList(ops, false);
      const h = this.headerName(ops);
      if (!h || h.name === '') {
        this.errorAt(operand[0] ?? t, `operator "${name}" requires a header-name`);
        this.ifFailed = true;
        return this.numberTok(t, 0);
      }
      const from = this.frames[this.frames.length - 1]?.file ?? this.mainFile ?? new SourceFile('', '');
      return this.numberTok(t, this.resolve(h.name, h.kind, from) !== undefined);
    }
    const id = operand.length > 0 && isName(operand[0]) ? operand[operand.length - 1].text : undefined;
    if (!id) {
      this.errorAt(operand[0] ?? rp, `macro "${name}" requires an identifier`);
      this.ifFailed = true;
      return this.numberTok(t, 0);
    }
    const bare = id.replace(/^__(.*)__$/, '$1');
    let v = 0;
    if (name === '__has_attribute') v = operand.length === 1 && GNU_ATTRIBUTES.has(bare) ? 1 : 0;
    else if (name === '__has_c_attribute') v = operand.length === 1 ? C_ATTRIBUTES.get(bare) ?? 0 : 0;
    else if (name === '__has_builtin') v = this.opts.hasBuiltin?.(id) ? 1 : 0;
    return this.numberTok(t, v);
  }

  /** Set when an operator inside the current #if line failed: the condition then counts as false. */
  private ifFailed = false;

  private condition(line: Tok[], d: 'if' | 'elif'): boolean {
    if (line.length === 1) {
      this.error(line[0].span, `#${d} with no expression`);
      return false;
    }
    this.ifFailed = false;
    const toks = this.expandList(line.slice(1), true);
    if (this.ifFailed) return false;
    const ev = new IfEvaluator(toks, line[0], (t, msg, sev) => (sev === 'error' ? this.errorAt(t, msg) : this.warning(userSpan(t), msg)));
    return ev.evaluate();
  }
}

interface SubstContext {
  readonly m: Macro;
  readonly args: Tok[][];
  readonly origin: Origin;
  readonly hs: HideSet;
  readonly expanded: (Tok[] | undefined)[];
  /** A placemarker was pushed (the result needs filtering). */
  placemarkers: boolean;
}

function sameDefinition(a: Macro, b: Macro): boolean {
  if (a.builtin !== b.builtin || a.variadic !== b.variadic) return false;
  if ((a.params === undefined) !== (b.params === undefined)) return false;
  if (a.params && b.params && a.params.join(',') !== b.params.join(',')) return false;
  if (a.body.length !== b.body.length) return false;
  for (let k = 0; k < a.body.length; k++) {
    if (a.body[k].text !== b.body[k].text) return false;
    if (k > 0 && a.body[k].spaceBefore !== b.body[k].spaceBefore) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// #if expressions (C11 6.10.1): intmax_t/uintmax_t arithmetic in 64 bits, with the usual
// arithmetic conversions (an unsigned operand makes the operation unsigned, so `-1 < 0u` is 0).

interface Value {
  /** Normalised: in [-2^63, 2^63) when signed, [0, 2^64) when unsigned. */
  readonly v: bigint;
  readonly u: boolean;
}

const ZERO: Value = { v: 0n, u: false };

/** Binary operators by precedence (higher binds tighter). */
const BINARY: Record<string, number> = {
  '*': 10, '/': 10, '%': 10,
  '+': 9, '-': 9,
  '<<': 8, '>>': 8,
  '<': 7, '>': 7, '<=': 7, '>=': 7,
  '==': 6, '!=': 6,
  '&': 5, '^': 4, '|': 3, '&&': 2, '||': 1,
};

/** Every punctuator that can appear in a #if expression. */
const IF_PUNCTUATORS: ReadonlySet<string> = new Set([...Object.keys(BINARY), '?', ':', ',', '(', ')', '!', '~']);

/** Parentheses, unary operators and `?:` nest at most this deep (each level counts up to twice). */
const MAX_NESTING = 512;

class IfEvaluator {
  private pos = 0;
  private failed = false;
  /** > 0 inside an operand that is not evaluated (`0 && x`): no division-by-zero or overflow reports. */
  private unevaluated = 0;
  private nesting = 0;

  constructor(
    private readonly toks: Tok[],
    private readonly directive: Tok,
    private readonly report: (t: Token, message: string, severity: Severity) => void,
  ) {}

  evaluate(): boolean {
    if (this.toks.length === 0) {
      this.fail(this.directive, `#${this.directive.text} with no expression`);
      return false;
    }
    const v = this.comma();
    if (!this.failed && this.pos < this.toks.length) {
      const t = this.toks[this.pos];
      let msg = `missing binary operator before token "${t.text}"`;
      if (isPunct(t, ':')) msg = "':' without preceding '?'";
      else if (isPunct(t, ')')) msg = "missing '(' in expression";
      else if (t.kind === TokenKind.Punct && !IF_PUNCTUATORS.has(t.text)) msg = `token "${t.text}" is not valid in preprocessor expressions`;
      this.fail(t, msg);
    }
    return !this.failed && v.v !== 0n;
  }

  private fail(t: Token, message: string): Value {
    if (!this.failed) this.report(t, message, 'error');
    this.failed = true;
    this.pos = this.toks.length;
    return ZERO;
  }

  private warn(t: Token, message: string): void {
    if (this.unevaluated === 0 && !this.failed) this.report(t, message, 'warning');
  }

  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }

  private comma(): Value {
    let v = this.conditional();
    while (!this.failed && isPunct(this.peek(), ',')) {
      this.pos++;
      v = this.conditional();
    }
    return v;
  }

  private conditional(): Value {
    if (++this.nesting > MAX_NESTING) return this.fail(this.peek() ?? this.directive, `#${this.directive.text} expression nested too deeply`);
    try {
      return this.conditionalInner();
    } finally {
      this.nesting--;
    }
  }

  private conditionalInner(): Value {
    const c = this.binary(1);
    if (this.failed || !isPunct(this.peek(), '?')) return c;
    const q = this.toks[this.pos++];
    const take = c.v !== 0n;
    if (!take) this.unevaluated++;
    const a = this.comma();
    if (!take) this.unevaluated--;
    if (this.failed) return ZERO;
    if (!isPunct(this.peek(), ':')) return this.fail(this.peek() ?? q, "'?' without following ':'");
    this.pos++;
    if (take) this.unevaluated++;
    const b = this.conditional();
    if (take) this.unevaluated--;
    const u = a.u || b.u;
    return norm(take ? a.v : b.v, u);
  }

  private binary(minPrec: number): Value {
    let left = this.unary();
    for (;;) {
      if (this.failed) return ZERO;
      const op = this.peek();
      if (!op || op.kind !== TokenKind.Punct) return left;
      const prec = BINARY[op.text];
      if (prec === undefined || prec < minPrec) return left;
      this.pos++;
      // Short circuit: the right operand of `0 && x` / `1 || x` is parsed but not evaluated.
      const skip = (op.text === '&&' && left.v === 0n) || (op.text === '||' && left.v !== 0n);
      if (skip) this.unevaluated++;
      if (this.pos >= this.toks.length) return this.fail(op, `operator '${op.text}' has no right operand`);
      const right = this.binary(prec + 1);
      if (skip) this.unevaluated--;
      left = this.apply(op, left, right);
    }
  }

  private apply(op: Tok, a: Value, b: Value): Value {
    const u = a.u || b.u;
    const x = u ? BigInt.asUintN(64, a.v) : a.v;
    const y = u ? BigInt.asUintN(64, b.v) : b.v;
    switch (op.text) {
      case '*': return this.arith(op, x * y, u);
      case '+': return this.arith(op, x + y, u);
      case '-': return this.arith(op, x - y, u);
      case '/':
      case '%':
        if (y === 0n) {
          if (this.unevaluated === 0) return this.fail(op, 'division by zero in #if');
          return { v: 0n, u };
        }
        return this.arith(op, op.text === '/' ? x / y : x % y, u);
      case '<<':
      case '>>':
        return this.shift(op, a, b, op.text === '<<');
      case '<': return bool(x < y);
      case '>': return bool(x > y);
      case '<=': return bool(x <= y);
      case '>=': return bool(x >= y);
      case '==': return bool(x === y);
      case '!=': return bool(x !== y);
      case '&': return norm(x & y, u);
      case '^': return norm(x ^ y, u);
      case '|': return norm(x | y, u);
      case '&&': return bool(a.v !== 0n && b.v !== 0n);
      default: return bool(a.v !== 0n || b.v !== 0n);
    }
  }

  private arith(op: Tok, r: bigint, u: boolean): Value {
    if (!u && (r < -(1n << 63n) || r >= 1n << 63n)) this.warn(op, 'integer overflow in preprocessor expression');
    return norm(r, u);
  }

  /** Shifts keep the left operand's type; a negative count shifts the other way (as gcc does). */
  private shift(op: Tok, a: Value, b: Value, left: boolean): Value {
    let n = b.u ? BigInt.asUintN(64, b.v) : b.v;
    if (n < 0n) {
      left = !left;
      n = -n;
    }
    const count = n > 64n ? 64n : n;
    if (left) {
      const r = a.v << count;
      if (!a.u && (r < -(1n << 63n) || r >= 1n << 63n)) this.warn(op, 'integer overflow in preprocessor expression');
      return norm(r, a.u);
    }
    return norm(a.v >> count, a.u);
  }

  private unary(): Value {
    const t = this.peek();
    if (!t) {
      const prev = this.toks[this.pos - 1];
      return this.fail(prev ?? this.directive, prev ? `operator '${prev.text}' has no right operand` : `#${this.directive.text} with no expression`);
    }
    if (++this.nesting > MAX_NESTING) return this.fail(t, `#${this.directive.text} expression nested too deeply`);
    try {
      if (t.kind === TokenKind.Punct) {
        switch (t.text) {
          case '+': this.pos++; return this.unary();
          case '-': {
            this.pos++;
            const v = this.unary();
            if (!v.u && v.v === -(1n << 63n)) this.warn(t, 'integer overflow in preprocessor expression');
            return norm(-v.v, v.u);
          }
          case '~': {
            this.pos++;
            const v = this.unary();
            return norm(~v.v, v.u);
          }
          case '!': {
            this.pos++;
            return bool(this.unary().v === 0n);
          }
          case '(': {
            this.pos++;
            if (isPunct(this.peek(), ')')) return this.fail(this.peek() ?? t, "missing expression between '(' and ')'");
            const v = this.comma();
            if (this.failed) return ZERO;
            if (!isPunct(this.peek(), ')')) return this.fail(this.peek() ?? t, "missing ')' in expression");
            this.pos++;
            return v;
          }
        }
        return this.fail(t, `token "${t.text}" is not valid in preprocessor expressions`);
      }
      this.pos++;
      switch (t.kind) {
        case TokenKind.Number:
          return this.number(t);
        case TokenKind.Char: {
          const wide = !t.text.startsWith("'") && !t.text.startsWith("u8'");
          const c = decodeCharLiteral(t.text);
          // Plain char is signed on x86_64: '\xff' is -1.
          return { v: BigInt(wide ? c : (c << 24) >> 24), u: false };
        }
        case TokenKind.Ident:
        case TokenKind.Keyword:
          return ZERO; // A name that is not a macro is 0.
        default:
          return this.fail(t, `token "${t.text}" is not valid in preprocessor expressions`);
      }
    } finally {
      this.nesting--;
    }
  }

  private number(t: Tok): Value {
    const c = parseIntegerConstant(t.text);
    if (!c.ok) return this.fail(t, c.message);
    let u = c.unsigned;
    if (c.tooLarge) this.warn(t, 'integer constant is too large for its type');
    else if (!u && c.value >= 1n << 63n) {
      if (c.decimal) this.warn(t, 'integer constant is so large that it is unsigned');
      u = true;
    }
    return norm(c.value, u);
  }
}

function norm(v: bigint, u: boolean): Value {
  return { v: u ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v), u };
}

function bool(b: boolean): Value {
  return { v: b ? 1n : 0n, u: false };
}

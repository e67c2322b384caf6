// C lexer: one SourceFile in, preprocessing tokens out (C11 6.4, plus GNU `$` in identifiers).
// Line splices (backslash-newline) are removed first, with a table from the spliced text back to
// the file's own offsets, so every span points at the original characters. Escape sequences stay
// raw in `text`; `decodeStringLiteral`/`decodeCharLiteral` decode them for the parser. Keywords
// are marked, but the preprocessor treats them as identifiers. Problems (stray characters,
// unterminated literals and comments) are kept apart from the tokens so that the preprocessor can
// drop the ones inside skipped `#if` groups, as gcc does. Nothing here throws on any input.

import { KEYWORDS, TokenKind } from './token';
import type { Token } from './token';
import type { SourceFile } from '../source/source';
import type { DiagnosticBag, Severity } from '../diag/diagnostic';

/** A lexical problem; offsets are the file's own (after mapping back through splices). */
export interface LexProblem {
  readonly severity: Severity;
  readonly code: string;
  readonly start: number;
  readonly end: number;
  readonly message: string;
  /** Index of the token the problem belongs to (for problems between tokens, the next token). */
  readonly token: number;
  /** Reported even inside a skipped `#if` group (an unterminated comment eats the rest of the file). */
  readonly always: boolean;
}

/**
 * A token as the lexer makes it. `hide` is the preprocessor's hide set (undefined outside macro
 * expansion); it is created here so that every token object has the same shape.
 */
export interface LexToken extends Token {
  readonly hide: undefined;
}

export interface LexResult {
  /** The tokens, ending with one EOF token. */
  readonly tokens: LexToken[];
  /** Problems sorted by `token`. */
  readonly problems: LexProblem[];
}

/** Tokenize `file`, report every lexical problem to `diags`, and return the tokens (ending with EOF). */
export function lex(file: SourceFile, diags: DiagnosticBag): Token[] {
  const r = lexFile(file);
  for (const p of r.problems) {
    diags.add({ code: p.code, rule: '', severity: p.severity, span: { file, start: p.start, end: p.end }, message: p.message, related: [], fixes: [] });
  }
  return r.tokens;
}

/**
 * Tokenize `file`, keeping the problems apart (the preprocessor's entry point). With `keepStray`,
 * a stray character becomes a one-character Punct token (see `isStray`) instead of a problem: it is
 * valid inside `#x` and in skipped groups, and the preprocessor reports it only if it reaches the
 * parser, as gcc does.
 */
export function lexFile(file: SourceFile, keepStray = false): LexResult {
  const { clean, map, spliceWarnings } = removeSplices(file.text);
  const tokens: LexToken[] = [];
  const problems: LexProblem[] = [];
  const raw = map ? (i: number) => map[i] : (i: number) => i;
  const rawEnd = map ? (end: number, start: number) => (end > start ? map[end - 1] + 1 : map[start]) : (end: number) => end;
  for (const w of spliceWarnings) {
    problems.push({ severity: 'warning', code: 'KM1002', start: w, end: w + 1, message: 'backslash and newline separated by space', token: 0, always: false });
  }
  scan(
    clean,
    keepStray,
    (kind, start, end, space, bol) => {
      let text = '';
      if (kind !== TokenKind.EOF) {
        text = clean.slice(start, end);
        if (kind === TokenKind.Ident) {
          if (KEYWORDS.has(text)) kind = TokenKind.Keyword;
        } else if (kind === TokenKind.Punct && (text.length === 2 || text.length === 4)) text = DIGRAPHS[text] ?? text;
      }
      tokens.push(makeToken(kind, text, { file, start: raw(start), end: rawEnd(end, start) }, space, bol));
    },
    (severity, code, start, end, message, always) => {
      problems.push({ severity, code, start: raw(start), end: rawEnd(end, start), message, token: tokens.length, always });
    },
  );
  // Splice warnings were pushed first with token 0; attach them to the token that follows them.
  if (spliceWarnings.length > 0) {
    let k = 0;
    for (let p = 0; p < spliceWarnings.length; p++) {
      const w = problems[p];
      while (k < tokens.length - 1 && tokens[k].span.end <= w.start) k++;
      problems[p] = { ...w, token: k };
    }
    problems.sort((a, b) => a.token - b.token || a.start - b.start);
  }
  return { tokens, problems };
}

/** The kind of `text` if it is exactly one preprocessing token (the test for a valid `##` paste). */
export function classifyToken(text: string): TokenKind | undefined {
  if (text.length === 0) return undefined;
  let kind: TokenKind | undefined;
  let count = 0;
  let bad = false;
  scan(
    text,
    false,
    (k, start, end) => {
      if (k === TokenKind.EOF) return;
      count++;
      if (start !== 0 || end !== text.length) bad = true;
      kind = k;
    },
    () => {
      bad = true;
    },
  );
  if (count !== 1 || bad) return undefined;
  return kind === TokenKind.Ident && KEYWORDS.has(text) ? TokenKind.Keyword : kind;
}

/** Build a token with the shape every token in the front end shares. */
export function makeToken(kind: TokenKind, text: string, span: Token['span'], spaceBefore: boolean, atLineStart: boolean): LexToken {
  return { kind, text, span, origin: undefined, spaceBefore, atLineStart, hide: undefined };
}

// ---------------------------------------------------------------------------------------------
// Splices

interface Spliced {
  readonly clean: string;
  /** clean offset → file offset, or undefined when the file has no splice. */
  readonly map: Int32Array | undefined;
  /** File offsets of backslashes followed by white space before the newline. */
  readonly spliceWarnings: number[];
}

function removeSplices(text: string): Spliced {
  if (!/\\[ \t]*\r?\n/.test(text)) return { clean: text, map: undefined, spliceWarnings: [] };
  const parts: string[] = [];
  const map = new Int32Array(text.length + 1);
  const spliceWarnings: number[] = [];
  let n = 0;
  let runStart = 0;
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) === 92 /* \ */) {
      let j = i + 1;
      while (j < text.length && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
      if (j < text.length && text.charCodeAt(j) === 13) j++;
      if (j < text.length && text.charCodeAt(j) === 10) {
        parts.push(text.slice(runStart, i));
        if (j > i + 1 && text.charCodeAt(i + 1) !== 13) spliceWarnings.push(i);
        i = j + 1;
        runStart = i;
        continue;
      }
    }
    map[n++] = i;
    i++;
  }
  parts.push(text.slice(runStart));
  map[n] = text.length;
  return { clean: parts.join(''), map: map.subarray(0, n + 1), spliceWarnings };
}

// ---------------------------------------------------------------------------------------------
// The scanner, shared by `lexFile` and `classifyToken`.

type Emit = (kind: TokenKind, start: number, end: number, space: boolean, bol: boolean) => void;
type Problem = (severity: Severity, code: string, start: number, end: number, message: string, always: boolean) => void;

const DIGRAPHS: Record<string, string> = { '<:': '[', ':>': ']', '<%': '{', '%>': '}', '%:': '#', '%:%:': '##' };

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function scan(s: string, keepStray: boolean, emit: Emit, problem: Problem): void {
  const n = s.length;
  let i = 0;
  let space = false;
  let bol = true;
  for (;;) {
    if (i >= n) {
      emit(TokenKind.EOF, n, n, space, true);
      return;
    }
    const c = s.charCodeAt(i);
    // White space and comments.
    if (c === 10) {
      bol = true;
      space = true;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
      space = true;
      i++;
      continue;
    }
    if (c === 47 /* / */) {
      const d = s.charCodeAt(i + 1);
      if (d === 47) {
        const nl = s.indexOf('\n', i + 2);
        i = nl < 0 ? n : nl;
        space = true;
        continue;
      }
      if (d === 42) {
        const close = s.indexOf('*/', i + 2);
        if (close < 0) {
          problem('error', 'KM1002', i, i + 2, 'unterminated comment', true);
          i = n;
        } else {
          i = close + 2;
        }
        space = true;
        continue;
      }
    }
    const start = i;
    // Identifiers, and the prefixes of wide and UTF literals.
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentChar(s.charCodeAt(i))) i++;
      const q = s.charCodeAt(i);
      if ((q === 34 || q === 39) && isLiteralPrefix(s, start, i)) {
        i = scanLiteral(s, start, i, q, problem);
        emit(q === 34 ? TokenKind.String : TokenKind.Char, start, i, space, bol);
      } else {
        emit(TokenKind.Ident, start, i, space, bol); // Keywords are told apart by the caller.
      }
      space = bol = false;
      continue;
    }
    // pp-numbers: `0x1fUL`, `1e+10`, `0x1p-3`, `1.5f`, `.5`.
    if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(i + 1)))) {
      i++;
      while (i < n) {
        const d = s.charCodeAt(i);
        if ((d === 43 || d === 45) && (s.charCodeAt(i - 1) | 32) === 101 /* e */) i++;
        else if ((d === 43 || d === 45) && (s.charCodeAt(i - 1) | 32) === 112 /* p */) i++;
        else if (isIdentChar(d) || d === 46) i++;
        else break;
      }
      emit(TokenKind.Number, start, i, space, bol);
      space = bol = false;
      continue;
    }
    if (c === 34 || c === 39) {
      i = scanLiteral(s, start, i, c, problem);
      emit(c === 34 ? TokenKind.String : TokenKind.Char, start, i, space, bol);
      space = bol = false;
      continue;
    }
    const len = punctLength(s, i);
    if (len > 0) {
      i += len;
      emit(TokenKind.Punct, start, i, space, bol);
      space = bol = false;
      continue;
    }
    // Anything else is a stray character: reported and skipped, or kept for the preprocessor.
    const cp = s.codePointAt(i) ?? c;
    i += cp > 0xffff ? 2 : 1;
    if (keepStray) {
      emit(TokenKind.Punct, start, i, space, bol);
      space = bol = false;
    } else problem('error', 'KM1001', start, i, strayMessage(s.slice(start, i)), false);
  }
}

/** True for the spelling of a stray-character token (a Punct that is no C punctuator). */
export function isStray(text: string): boolean {
  return text.length > 0 && punctLength(text, 0) === 0;
}

/** gcc's message for a stray character. */
export function strayMessage(text: string): string {
  const cp = text.codePointAt(0) ?? 0;
  const shown = cp < 32 || cp === 127 ? '\\' + cp.toString(8).padStart(3, '0') : text;
  return `stray '${shown}' in program`;
}

function isLiteralPrefix(s: string, start: number, end: number): boolean {
  const len = end - start;
  if (len === 1) {
    const c = s.charCodeAt(start);
    return c === 76 /* L */ || c === 117 /* u */ || c === 85 /* U */;
  }
  return len === 2 && s.charCodeAt(start) === 117 && s.charCodeAt(start + 1) === 56; /* u8 */
}

/** Scan a string or char literal whose quote is at `q`; returns the end offset. Stops at end of line. */
function scanLiteral(s: string, start: number, q: number, quote: number, problem: Problem): number {
  const n = s.length;
  let i = q + 1;
  for (;;) {
    if (i >= n || s.charCodeAt(i) === 10) {
      let end = i;
      if (end > start && s.charCodeAt(end - 1) === 13) end--;
      problem('error', 'KM1001', start, Math.max(end, q + 1), `missing terminating ${quote === 34 ? '"' : "'"} character`, false);
      return end;
    }
    const c = s.charCodeAt(i);
    if (c === 92 && i + 1 < n && s.charCodeAt(i + 1) !== 10) {
      i += 2;
      continue;
    }
    i++;
    if (c === quote) break;
  }
  if (quote === 39 && i === q + 2) problem('error', 'KM1001', start, i, 'empty character constant', false);
  return i;
}

/** Length of the punctuator at `i` (longest match), 0 if none. */
function punctLength(s: string, i: number): number {
  const c = s[i];
  const d = s[i + 1];
  const e = s[i + 2];
  switch (c) {
    case '[': case ']': case '(': case ')': case '{': case '}': case '~': case '?': case ';': case ',':
      return 1;
    case '.':
      return d === '.' && e === '.' ? 3 : 1;
    case '-':
      return d === '>' || d === '-' || d === '=' ? 2 : 1;
    case '+':
      return d === '+' || d === '=' ? 2 : 1;
    case '&':
      return d === '&' || d === '=' ? 2 : 1;
    case '|':
      return d === '|' || d === '=' ? 2 : 1;
    case '*': case '/': case '!': case '=': case '^':
      return d === '=' ? 2 : 1;
    case '<':
      if (d === '<') return e === '=' ? 3 : 2;
      return d === '=' || d === ':' || d === '%' ? 2 : 1;
    case '>':
      if (d === '>') return e === '=' ? 3 : 2;
      return d === '=' ? 2 : 1;
    case ':':
      return d === '>' ? 2 : 1;
    case '#':
      return d === '#' ? 2 : 1;
    case '%':
      if (d === ':') return e === '%' && s[i + 3] === ':' ? 4 : 2;
      return d === '=' || d === '>' ? 2 : 1;
    default:
      return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Literal decoding (C11 6.4.4.4, 6.4.5), used by the parser and by `#if`.

const SIMPLE_ESCAPES: Record<string, number> = {
  n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, E: 27, '\\': 92, "'": 39, '"': 34, '?': 63,
};

type Encoding = 'narrow' | 'utf16' | 'utf32';

function encodingOf(prefix: string): Encoding {
  if (prefix === 'u') return 'utf16';
  if (prefix === 'U' || prefix === 'L') return 'utf32';
  return 'narrow';
}

function pushCodePoint(out: number[], cp: number, enc: Encoding): void {
  if (enc === 'utf32') out.push(cp);
  else if (enc === 'utf16') {
    if (cp > 0xffff) {
      const v = cp - 0x10000;
      out.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    } else out.push(cp);
  } else if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** Decode the body of a literal (between the quotes) into elements of the literal's encoding. */
function decodeBody(body: string, enc: Encoding): number[] {
  const out: number[] = [];
  const mask = enc === 'narrow' ? 0xff : enc === 'utf16' ? 0xffff : 0xffffffff;
  let i = 0;
  while (i < body.length) {
    const c = body.charCodeAt(i);
    if (c !== 92 || i + 1 >= body.length) {
      const cp = body.codePointAt(i) ?? c;
      pushCodePoint(out, cp, enc);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    if (e in SIMPLE_ESCAPES) {
      out.push(SIMPLE_ESCAPES[e]);
    } else if (e >= '0' && e <= '7') {
      // Up to three octal digits: `"\001"` is KERN_SOH.
      let v = e.charCodeAt(0) - 48;
      for (let k = 0; k < 2 && i < body.length && body[i] >= '0' && body[i] <= '7'; k++) v = v * 8 + (body.charCodeAt(i++) - 48);
      out.push(v & mask);
    } else if (e === 'x') {
      let v = 0;
      const from = i;
      while (i < body.length && /[0-9a-fA-F]/.test(body[i])) v = (v * 16 + parseInt(body[i++], 16)) % 0x100000000;
      out.push(i === from ? 120 : v & mask);
    } else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const hex = body.slice(i, i + len);
      if (hex.length === len && /^[0-9a-fA-F]+$/.test(hex)) {
        i += len;
        pushCodePoint(out, Math.min(parseInt(hex, 16), 0x10ffff), enc);
      } else out.push(e.charCodeAt(0));
    } else {
      // Unknown escape (gcc warns): the character itself.
      const cp = body.codePointAt(i - 1) ?? 0;
      pushCodePoint(out, cp, enc);
      if (cp > 0xffff) i++;
    }
  }
  return out;
}

function splitLiteral(text: string, quote: string): { prefix: string; body: string } {
  const q = text.indexOf(quote);
  if (q < 0) return { prefix: '', body: '' };
  let end = text.length;
  if (end > q + 1 && text[end - 1] === quote && !endsWithEscapedQuote(text, q)) end--;
  return { prefix: text.slice(0, q), body: text.slice(q + 1, end) };
}

/** True when the final quote is escaped (an unterminated literal such as `"abc\"`). */
function endsWithEscapedQuote(text: string, q: number): boolean {
  let k = text.length - 2;
  let backslashes = 0;
  while (k > q && text[k] === '\\') {
    backslashes++;
    k--;
  }
  return backslashes % 2 === 1;
}

/**
 * Decode a string literal's spelling (`"a\n"`, `L"x"`, `u8"é"`). Plain and u8 strings give UTF-8
 * bytes; `u` gives UTF-16 code units, `L` and `U` code points (then `wide` is true). No terminator.
 */
export function decodeStringLiteral(text: string): { bytes: number[]; wide: boolean } {
  const { prefix, body } = splitLiteral(text, '"');
  const enc = encodingOf(prefix);
  return { bytes: decodeBody(body, enc), wide: enc !== 'narrow' };
}

/**
 * The value of a character constant's spelling. A plain one-character constant gives its byte
 * (0..255; the parser sign-extends plain `char`); a multi-character constant packs its bytes into
 * an int as gcc does (`'ab'` is 0x6162); wide constants give the code point of their last character.
 */
export function decodeCharLiteral(text: string): number {
  const { prefix, body } = splitLiteral(text, "'");
  const enc = encodingOf(prefix);
  const els = decodeBody(body, enc);
  if (els.length === 0) return 0;
  if (enc !== 'narrow') return els[els.length - 1] >>> 0;
  if (els.length === 1) return els[0];
  let v = 0;
  for (const b of els) v = ((v << 8) | b) | 0;
  return v;
}

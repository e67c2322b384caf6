// The lexer: token kinds and spellings, spans through line splices, flags, problems with exact
// positions, literal decoding, and never throwing. One-line helpers over tables of small inputs.

import { strict as assert } from 'node:assert';
import { lex, decodeCharLiteral, decodeStringLiteral, classifyToken } from '../../../src/core/c/lex';
import { TokenKind } from '../../../src/core/c/token';
import type { Token } from '../../../src/core/c/token';
import { SourceFile } from '../../../src/core/source/source';
import { DiagnosticBag } from '../../../src/core/diag/diagnostic';

function run(src: string): { toks: Token[]; diags: string[] } {
  const bag = new DiagnosticBag();
  const toks = lex(new SourceFile('t.c', src), bag);
  const diags = bag.items.map((d) => {
    const p = d.span.file.position(d.span.start);
    return `${p.line}:${p.column}: ${d.severity}: ${d.message}`;
  });
  return { toks, diags };
}

/** The spellings of all tokens but EOF, and no diagnostics. */
function assertTokens(src: string, ...texts: string[]): void {
  const r = run(src);
  assert.deepEqual(r.diags, []);
  assert.deepEqual(r.toks.slice(0, -1).map((t) => t.text), texts);
}

const KIND_NAMES = ['Ident', 'Keyword', 'Number', 'Char', 'String', 'Punct', 'EOF'];

function assertKinds(src: string, ...kinds: string[]): void {
  assert.deepEqual(run(src).toks.map((t) => KIND_NAMES[t.kind]), [...kinds, 'EOF']);
}

function assertDiags(src: string, ...diags: string[]): void {
  assert.deepEqual(run(src).diags, diags);
}

/** `[start, end)` of each token but EOF, in the file's own offsets. */
function spans(src: string): [number, number][] {
  return run(src).toks.slice(0, -1).map((t) => [t.span.start, t.span.end]);
}

describe('lex: punctuators', () => {
  const single = [
    '[', ']', '(', ')', '{', '}', '.', '->', '++', '--', '&', '*', '+', '-', '~', '!', '/', '%', '<<', '>>', '<', '>',
    '<=', '>=', '==', '!=', '^', '|', '&&', '||', '?', ':', ';', '...', '=', '*=', '/=', '%=', '+=', '-=', '<<=', '>>=',
    '&=', '^=', '|=', ',', '#', '##',
  ];
  for (const p of single) it(`'${p}' is one Punct`, () => assertKinds(p, 'Punct'));
  const cases: [string, string[]][] = [
    ['a->b', ['a', '->', 'b']],
    ['x<<=1', ['x', '<<=', '1']],
    ['a...b', ['a', '...', 'b']],
    ['a..b', ['a', '.', '.', 'b']],
    ['x+++y', ['x', '++', '+', 'y']],
    ['a&&&b', ['a', '&&', '&', 'b']],
    ['p->q->r', ['p', '->', 'q', '->', 'r']],
    ['<: :> <% %> %: %:%:', ['[', ']', '{', '}', '#', '##']],
  ];
  for (const [src, want] of cases) it(`${src}`, () => assertTokens(src, ...want));
});

describe('lex: numbers, names, literals', () => {
  const pp = ['0', '42', '0x1fUL', '1e10', '1e+10', '1E-5', '0x1p3', '0x1p-3', '1.5f', '.5', '08', '0x1e+1', '1..2', '123abc', '0b101', '1ULL'];
  for (const n of pp) it(`pp-number ${n}`, () => assertKinds(n, 'Number'));
  it('a number followed by an operator', () => assertTokens('1+2 0x10-1', '1', '+', '2', '0x10', '-', '1'));
  it('identifiers may contain $', () => assertTokens('a$b $x _y9', 'a$b', '$x', '_y9'));
  it('keywords are marked', () => assertKinds('int foo __attribute__ sizeof typeof struct_x', 'Keyword', 'Ident', 'Keyword', 'Keyword', 'Keyword', 'Ident'));
  const lits: [string, string][] = [
    ['"abc"', 'String'], ['"a\\"b"', 'String'], ['L"w"', 'String'], ['u"w"', 'String'], ['U"w"', 'String'], ['u8"w"', 'String'],
    ["'a'", 'Char'], ["'\\''", 'Char'], ["L'a'", 'Char'], ["u'a'", 'Char'], ["U'a'", 'Char'], ['"\\001" "6"', 'String String'],
    ['"é"', 'String'], ['"a/*b*/c"', 'String'], ['"// not a comment"', 'String'],
  ];
  for (const [src, kinds] of lits) it(`literal ${src}`, () => assertKinds(src, ...kinds.split(' ')));
  it('a prefix-like name before a quote is still a name when longer', () => assertTokens("Lx'a'", 'Lx', "'a'"));
  it('escape sequences stay raw in text', () => assertTokens('"a\\n\\x41\\001"', '"a\\n\\x41\\001"'));
});

describe('lex: comments, splices and flags', () => {
  it('line comments', () => assertTokens('a // comment\nb', 'a', 'b'));
  it('block comments', () => assertTokens('a /* x\ny */ b/**/c', 'a', 'b', 'c'));
  it('a line comment continued by a splice', () => assertTokens('a // c \\\nstill comment\nb', 'a', 'b'));
  it('a splice inside an identifier', () => {
    const r = run('in\\\nt x');
    assert.deepEqual(r.toks.map((t) => t.text), ['int', 'x', '']);
    assert.equal(r.toks[0].kind, TokenKind.Keyword);
    assert.deepEqual(spans('in\\\nt x'), [[0, 5], [6, 7]]);
  });
  it('spans after a splice point at the original offsets', () => assert.deepEqual(spans('#define X 1 + \\\r\n  2\ny'), [[0, 1], [1, 7], [8, 9], [10, 11], [12, 13], [19, 20], [21, 22]]));
  it('a splice inside a string', () => assertTokens('"ab\\\ncd"', '"abcd"'));
  it('spaceBefore and atLineStart', () => {
    const toks = run('a b\n  c(d)\n#x').toks;
    assert.deepEqual(toks.map((t) => [t.text, t.spaceBefore, t.atLineStart]), [
      ['a', false, true], ['b', true, false], ['c', true, true], ['(', false, false], ['d', false, false], [')', false, false],
      ['#', true, true], ['x', false, false], ['', false, true],
    ]);
  });
  it('a comment counts as white space', () => assert.equal(run('a/**/b').toks[1].spaceBefore, true));
  it('the EOF token sits at the end of the file', () => {
    const t = run('int x;\n').toks.at(-1);
    assert.equal(t?.kind, TokenKind.EOF);
    assert.deepEqual([t?.span.start, t?.span.end], [7, 7]);
  });
  it('CRLF line endings', () => assertTokens('a\r\nb\r\n', 'a', 'b'));
});

describe('lex: problems', () => {
  it('unterminated comment', () => assertDiags('int x; /* oops\nint y;', '1:8: error: unterminated comment'));
  it('stray @ is reported and skipped', () => {
    assertDiags('a @ b', "1:3: error: stray '@' in program");
    assert.deepEqual(run('a @ b').toks.map((t) => t.text), ['a', 'b', '']);
  });
  it('a non-ASCII character outside literals', () => assertDiags('int x = 1 × 2;', "1:11: error: stray '×' in program"));
  it('a stray backquote', () => assertDiags('`x', "1:1: error: stray '`' in program"));
  it('non-ASCII inside literals and comments is fine', () => assertDiags('"é" /* ü */ // ß\n\'ä\''));
  it('missing terminating "', () => assertDiags('x = "abc;\ny', '1:5: error: missing terminating " character'));
  it("missing terminating '", () => assertDiags("c = 'a;", "1:5: error: missing terminating ' character"));
  it('an unterminated literal ends at the end of its line', () => assert.deepEqual(run('"ab\nc').toks.map((t) => t.text), ['"ab', 'c', '']));
  it('empty character constant', () => assertDiags("''", '1:1: error: empty character constant'));
  it('a splice with spaces after the backslash still splices, with a warning', () => {
    assertDiags('a \\  \nb', '1:3: warning: backslash and newline separated by space');
    assert.deepEqual(run('x\\ \ny').toks.map((t) => t.text), ['xy', '']);
  });
});

describe('lex: decodeStringLiteral / decodeCharLiteral', () => {
  const strings: [string, number[], boolean][] = [
    ['"abc"', [97, 98, 99], false],
    ['"\\001"', [1], false], // KERN_SOH
    ['"\\0016"', [1, 54], false], // KERN_INFO: octal stops after three digits
    ['"\\0"', [0], false],
    ['"\\101\\1012"', [65, 65, 50], false],
    ['"a\\tb\\n"', [97, 9, 98, 10], false],
    ['"\\a\\b\\f\\v\\r\\e\\E\\\\\\\'\\"\\?"', [7, 8, 12, 11, 13, 27, 27, 92, 39, 34, 63], false],
    ['"\\x41\\x4a"', [65, 74], false],
    ['"\\x141"', [0x41], false], // Out of range for char: truncated (gcc warns).
    ['"\\777"', [0xff], false],
    ['"é"', [0xc3, 0xa9], false],
    ['"\\u00e9"', [0xc3, 0xa9], false],
    ['u8"é"', [0xc3, 0xa9], false],
    ['L"é"', [0xe9], true],
    ['U"\\U0001F600"', [0x1f600], true],
    ['u"\\U0001F600"', [0xd83d, 0xde00], true],
    ['L"\\x1234"', [0x1234], true],
    ['"\\q"', [113], false], // Unknown escape: the character (gcc warns).
    ['""', [], false],
    ['"abc', [97, 98, 99], false], // Unterminated: best effort.
  ];
  for (const [text, bytes, wide] of strings) {
    it(`${text}`, () => assert.deepEqual(decodeStringLiteral(text), { bytes, wide }));
  }
  const chars: [string, number][] = [
    ["'a'", 97], ["'\\n'", 10], ["'\\0'", 0], ["'\\377'", 255], ["'\\xff'", 255], ["'\\''", 39], ["'\"'", 34],
    ["'ab'", 0x6162], ["L'\\x1234'", 0x1234], ["L'é'", 0xe9], ["u'x'", 120], ["'\\e'", 27], ["''", 0],
  ];
  for (const [text, v] of chars) it(`${text} = ${v}`, () => assert.equal(decodeCharLiteral(text), v));
});

describe('lex: classifyToken (the ## check)', () => {
  const cases: [string, TokenKind | undefined][] = [
    ['x1', TokenKind.Ident], ['int', TokenKind.Keyword], ['->', TokenKind.Punct], ['12', TokenKind.Number], ['1e', TokenKind.Number],
    ['+-', undefined], ['//', undefined], ['/*', undefined], ['a b', undefined], ['"a"', TokenKind.String], ['', undefined], ['@', undefined],
  ];
  for (const [text, kind] of cases) it(`${JSON.stringify(text)}`, () => assert.equal(classifyToken(text), kind));
});

describe('lex: never throws', () => {
  it('on a few hundred random strings', () => {
    const alphabet = ['a', 'Z', '_', '$', '0', '9', 'x', 'e', '+', '-', '.', '"', "'", '\\', '\n', '\r', ' ', '\t', '/', '*', '#', '<', '>', '%', ':', '@', 'é', '😀', 'L', 'u8', '\u0000', '\\\n'];
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 400; k++) {
      let s = '';
      const len = rand(80);
      for (let j = 0; j < len; j++) s += alphabet[rand(alphabet.length)];
      const r = run(s);
      assert.equal(r.toks.at(-1)?.kind, TokenKind.EOF, s);
      for (const t of r.toks) assert.ok(t.span.start <= t.span.end && t.span.end <= s.length, s);
      decodeStringLiteral(s);
      decodeCharLiteral(s);
    }
  });
});

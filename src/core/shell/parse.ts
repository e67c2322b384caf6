// The kernel shell's parser: one line of shell text into lists of pipelines, the small part of the
// POSIX shell grammar a student types at a root prompt:
//
//   script   := andOr ((';' | '&' | newline) andOr)*
//   andOr    := pipeline (('&&' | '||') pipeline)*
//   pipeline := command ('|' command)*
//   command  := (word | redirect)+          redirect := [fd] ('>' | '>>' | '<') word
//
// Words keep bash's quoting: '…' is literal, "…" keeps spaces and expands `$?`, a backslash quotes
// the next character, `#` at the start of a word begins a comment, and an unquoted `*` or `?` is
// a pathname pattern (kept apart from quoted text, which matches itself). `$NAME` expands later, when the
// command runs (so `echo $?` sees the status of the command before it); the parser keeps it as a
// parameter part of the word.
//
// Invariant: parsing never throws. A syntax error comes back as bash's message
// (`syntax error near unexpected token `;'`) and nothing of the line runs, as in bash.

/**
 * A piece of a word: literal text, a parameter (`?`, `HOME`) expanded when the command runs, or an
 * unquoted `*` or `?`, which make the word a pathname pattern.
 */
export type WordPart = string | { readonly param: string } | { readonly glob: '*' | '?' };
export type Word = readonly WordPart[];

export interface Redirect {
  /** `>` truncates, `>>` appends, `<` reads. */
  readonly op: '>' | '>>' | '<';
  /** The file descriptor redirected: 1 for `>`, 0 for `<`, or the digit written before it (`2>`). */
  readonly fd: number;
  readonly target: Word;
}

export interface SimpleCommand {
  readonly words: readonly Word[];
  readonly redirects: readonly Redirect[];
}

export interface Pipeline {
  readonly commands: readonly SimpleCommand[];
}

export interface AndOr {
  readonly first: Pipeline;
  readonly rest: readonly { readonly op: '&&' | '||'; readonly pipeline: Pipeline }[];
}

export type ParseResult = { readonly ok: true; readonly script: readonly AndOr[] } | { readonly ok: false; readonly error: string };

type Token = { kind: 'word'; word: Word } | { kind: 'op'; op: string; fd?: number };

const OPERATORS = ['&&', '||', '>>', ';', '&', '|', '>', '<', '\n'];

/** Parse a line (or several, separated by newlines) of shell text. */
export function parseShell(text: string): ParseResult {
  const lexed = lex(text);
  if (typeof lexed === 'string') return { ok: false, error: lexed };
  const script: AndOr[] = [];
  let i = 0;
  const peek = (): Token | undefined => lexed[i];
  const isOp = (t: Token | undefined, ...ops: string[]): boolean => t?.kind === 'op' && ops.includes(t.op);
  const unexpected = (t: Token | undefined): string => `syntax error near unexpected token \`${t?.kind === 'op' ? (t.op === '\n' ? 'newline' : t.op) : 'newline'}'`;

  const command = (): SimpleCommand | string => {
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const t = peek();
      if (t?.kind === 'word') {
        words.push(t.word);
        i++;
      } else if (isOp(t, '>', '>>', '<')) {
        const op = (t as { op: string }).op as Redirect['op'];
        i++;
        const target = peek();
        if (target?.kind !== 'word') return unexpected(target);
        i++;
        redirects.push({ op, fd: (t as { fd?: number }).fd ?? (op === '<' ? 0 : 1), target: target.word });
      } else break;
    }
    if (words.length === 0 && redirects.length === 0) return unexpected(peek());
    return { words, redirects };
  };

  const pipeline = (): Pipeline | string => {
    const commands: SimpleCommand[] = [];
    for (;;) {
      const c = command();
      if (typeof c === 'string') return c;
      commands.push(c);
      if (!isOp(peek(), '|')) return { commands };
      i++;
    }
  };

  while (i < lexed.length) {
    if (isOp(peek(), '\n')) {
      i++;
      continue;
    }
    const first = pipeline();
    if (typeof first === 'string') return { ok: false, error: first };
    const rest: { op: '&&' | '||'; pipeline: Pipeline }[] = [];
    while (isOp(peek(), '&&', '||')) {
      const op = (peek() as { op: string }).op as '&&' | '||';
      i++;
      while (isOp(peek(), '\n')) i++;
      const p = pipeline();
      if (typeof p === 'string') return { ok: false, error: p };
      rest.push({ op, pipeline: p });
    }
    script.push({ first, rest });
    const t = peek();
    if (t === undefined) break;
    if (!isOp(t, ';', '&', '\n')) return { ok: false, error: unexpected(t) };
    i++;
  }
  return { ok: true, script };
}

/** Split text into words and operators, or return bash's message for an unterminated quote. */
function lex(text: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    // `2>file`: a lone digit right before a redirection names the descriptor.
    if (/[0-9]/.test(c) && (text[i + 1] === '>' || text[i + 1] === '<')) {
      const op = text.startsWith('>>', i + 1) ? '>>' : text[i + 1];
      out.push({ kind: 'op', op, fd: Number(c) });
      i += 1 + op.length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      out.push({ kind: 'op', op });
      i += op.length;
      continue;
    }
    const word = lexWord(text, i);
    if (typeof word === 'string') return word;
    out.push({ kind: 'word', word: word.parts });
    i = word.end;
  }
  return out;
}

/** One word from `start`: its parts (adjacent literals merged) and where it ends. */
function lexWord(text: string, start: number): { parts: WordPart[]; end: number } | string {
  const parts: WordPart[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit) parts.push(lit);
    lit = '';
  };
  const param = (at: number): number => {
    // `$?`, `$$`, `$NAME`, `${NAME}`; a lone `$` is literal.
    const m = /^\$(?:([?$#0-9])|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*|\?)\})/.exec(text.slice(at));
    if (!m) {
      lit += '$';
      return at + 1;
    }
    flush();
    parts.push({ param: m[1] ?? m[2] ?? m[3] });
    return at + m[0].length;
  };
  let i = start;
  let quotedEmpty = false;
  while (i < text.length) {
    const c = text[i];
    if (' \t\r\n;&|<>'.includes(c)) break;
    if (c === '\\') {
      if (i + 1 < text.length && text[i + 1] !== '\n') lit += text[i + 1];
      i += 2;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) return "unexpected EOF while looking for matching `''";
      lit += text.slice(i + 1, close);
      quotedEmpty = true;
      i = close + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return 'unexpected EOF while looking for matching `"\'';
        const d = text[i];
        if (d === '"') break;
        if (d === '\\' && i + 1 < text.length && '$`"\\\n'.includes(text[i + 1])) {
          if (text[i + 1] !== '\n') lit += text[i + 1];
          i += 2;
        } else if (d === '$') {
          i = param(i);
        } else {
          lit += d;
          i++;
        }
      }
      quotedEmpty = true;
      i++;
    } else if (c === '$') {
      i = param(i);
    } else if (c === '*' || c === '?') {
      flush();
      parts.push({ glob: c });
      i++;
    } else {
      lit += c;
      i++;
    }
  }
  flush();
  // `''` is an empty word, not nothing.
  if (parts.length === 0 && quotedEmpty) parts.push('');
  return { parts, end: i };
}

// Source files and spans. A Span is a pair of offsets into one SourceFile; line and column are
// computed lazily (binary search over line starts) and are 1-based everywhere outside src/ui.

export class SourceFile {
  private lineStarts: number[] | undefined;

  constructor(
    /** The name shown to the student: `test_mem.c`, `linux/list.h` for a virtual header. */
    readonly name: string,
    readonly text: string,
    /** True for the virtual kernel headers that ship with the extension. */
    readonly isVirtual = false,
  ) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      const s = [0];
      const t = this.text;
      for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) === 10) s.push(i + 1);
      this.lineStarts = s;
    }
    return this.lineStarts;
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const s = this.starts();
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - s[lo] + 1 };
  }

  /** The text of a 1-based line, without its newline. */
  lineText(line: number): string {
    const s = this.starts();
    if (line < 1 || line > s.length) return '';
    const end = line < s.length ? s[line] - 1 : this.text.length;
    return this.text.slice(s[line - 1], end).replace(/\r$/, '');
  }

  get lineCount(): number {
    return this.starts().length;
  }
}

export interface Span {
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
}

export function span(file: SourceFile, start: number, end: number): Span {
  return { file, start, end };
}

/** The smallest span that covers both (they must be in the same file; otherwise `a` wins). */
export function joinSpans(a: Span, b: Span): Span {
  if (a.file !== b.file) return a;
  return { file: a.file, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** `file:line:col`, 1-based, as gcc prints it. */
export function formatSpan(s: Span): string {
  const p = s.file.position(s.start);
  return `${s.file.name}:${p.line}:${p.column}`;
}

export function spanLine(s: Span): number {
  return s.file.position(s.start).line;
}

// The kernel shell terminal's line editing, as readline does it at a bash prompt: typing and
// pasting, backspace and delete, the arrow keys (left/right move, up/down walk the history), Home/End
// and Ctrl-A/Ctrl-E, Ctrl-U, Ctrl-C (drop the line), Ctrl-D on an empty line (end), Ctrl-L (clear).
// Pure: no vscode import, so the unit tests drive it with key sequences. It turns input into the
// terminal writes that echo it and into events (a line submitted, an interrupt), in order.
//
// Invariants: 0 <= cursor <= line.length; the history never holds an empty line or the same line
// twice in a row; what is written leaves the terminal showing prompt + line with the cursor in place.

export type EditorEvent =
  | { readonly kind: 'write'; readonly text: string }
  | { readonly kind: 'submit'; readonly line: string }
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'eof' }
  | { readonly kind: 'clear' };

/** Escape sequences the terminal sends for keys, and what they do. */
const KEYS: Record<string, 'up' | 'down' | 'left' | 'right' | 'home' | 'end' | 'delete'> = {
  '\x1b[A': 'up',
  '\x1b[B': 'down',
  '\x1b[C': 'right',
  '\x1b[D': 'left',
  '\x1b[H': 'home',
  '\x1b[F': 'end',
  '\x1bOH': 'home',
  '\x1bOF': 'end',
  '\x1b[1~': 'home',
  '\x1b[4~': 'end',
  '\x1b[3~': 'delete',
};

/** How many lines the history keeps. */
const HISTORY_MAX = 500;

export class LineEditor {
  private line = '';
  private cursor = 0;
  private readonly history: string[] = [];
  /** Where up/down is in the history (history.length = the line being typed). */
  private browsing = 0;
  /** The line being typed, kept while browsing the history. */
  private draft = '';

  constructor(private prompt = '') {}

  setPrompt(prompt: string): void {
    this.prompt = prompt;
  }

  /** The current line and cursor (for tests). */
  get state(): { line: string; cursor: number } {
    return { line: this.line, cursor: this.cursor };
  }

  /** Feed what the terminal sent (keys, or pasted text); returns the writes and events, in order. */
  feed(data: string): EditorEvent[] {
    const out: EditorEvent[] = [];
    let i = 0;
    while (i < data.length) {
      const seq = Object.keys(KEYS).find((k) => data.startsWith(k, i));
      if (seq) {
        this.key(KEYS[seq], out);
        i += seq.length;
        continue;
      }
      const ch = data[i++];
      switch (ch) {
        case '\r':
        case '\n':
          // A pasted "\r\n" is one Enter.
          if (ch === '\r' && data[i] === '\n') i++;
          out.push({ kind: 'write', text: '\r\n' }, { kind: 'submit', line: this.line });
          this.remember(this.line);
          this.reset();
          break;
        case '\x7f':
        case '\b':
          if (this.cursor > 0) {
            const atEnd = this.cursor === this.line.length;
            this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
            this.cursor--;
            out.push({ kind: 'write', text: atEnd ? '\b \b' : this.redraw() });
          }
          break;
        case '\x03':
          out.push({ kind: 'write', text: '^C\r\n' }, { kind: 'interrupt' });
          this.reset();
          break;
        case '\x04':
          if (this.line === '') out.push({ kind: 'eof' });
          else this.key('delete', out);
          break;
        case '\x0c':
          out.push({ kind: 'clear' }, { kind: 'write', text: `\x1b[2J\x1b[H${this.redraw()}` });
          break;
        case '\x15':
          this.line = this.line.slice(this.cursor);
          this.cursor = 0;
          out.push({ kind: 'write', text: this.redraw() });
          break;
        case '\x01':
          this.key('home', out);
          break;
        case '\x05':
          this.key('end', out);
          break;
        default:
          // Other control characters and unknown escape sequences are ignored, as readline does.
          if (ch === '\x1b') {
            const m = /^\[[0-9;]*[A-Za-z~]|^O[A-Za-z]/.exec(data.slice(i));
            i += m ? m[0].length : 0;
          } else if (ch >= ' ') {
            this.insert(ch, out);
          }
      }
    }
    return out;
  }

  private insert(ch: string, out: EditorEvent[]): void {
    const atEnd = this.cursor === this.line.length;
    this.line = this.line.slice(0, this.cursor) + ch + this.line.slice(this.cursor);
    this.cursor++;
    out.push({ kind: 'write', text: atEnd ? ch : this.redraw() });
  }

  private key(key: (typeof KEYS)[string], out: EditorEvent[]): void {
    switch (key) {
      case 'left':
        if (this.cursor > 0) {
          this.cursor--;
          out.push({ kind: 'write', text: '\x1b[D' });
        }
        return;
      case 'right':
        if (this.cursor < this.line.length) {
          this.cursor++;
          out.push({ kind: 'write', text: '\x1b[C' });
        }
        return;
      case 'home':
      case 'end':
        this.cursor = key === 'home' ? 0 : this.line.length;
        out.push({ kind: 'write', text: this.redraw() });
        return;
      case 'delete':
        if (this.cursor < this.line.length) {
          this.line = this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1);
          out.push({ kind: 'write', text: this.redraw() });
        }
        return;
      case 'up':
      case 'down': {
        const next = this.browsing + (key === 'up' ? -1 : 1);
        if (next < 0 || next > this.history.length) return;
        if (this.browsing === this.history.length) this.draft = this.line;
        this.browsing = next;
        this.line = next === this.history.length ? this.draft : this.history[next];
        this.cursor = this.line.length;
        out.push({ kind: 'write', text: this.redraw() });
      }
    }
  }

  /** Rewrite the whole line: back to column 0, erase it, prompt and text, cursor back into place. */
  private redraw(): string {
    const back = this.line.length - this.cursor;
    return `\r\x1b[K${this.prompt}${this.line}${back > 0 ? `\x1b[${back}D` : ''}`;
  }

  private remember(line: string): void {
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) this.history.push(line);
    if (this.history.length > HISTORY_MAX) this.history.shift();
  }

  private reset(): void {
    this.line = '';
    this.cursor = 0;
    this.draft = '';
    this.browsing = this.history.length;
  }
}

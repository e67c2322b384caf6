// File commands with GNU coreutils 9.1's output and messages (Debian 12): cat, head, tail, tee,
// ls, mknod, grep, and bash's builtins echo, cd and pwd. Every read and write goes through the machine's file
// tree, so on a module's /proc or /dev file they call its handlers, with the command's task as
// `current`: cat reads 128 KiB at a time as coreutils does, head 8 KiB.
//
// A read handler that never returns 0 (a classic mistake: ignoring *offset) makes a real cat print
// forever; here cat stops after RUNAWAY_BYTES and says why.

import type { OpenFile, VNode } from '../../kernel/vfs';
import { O_APPEND, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, decodeLatin1, encodeLatin1, modeString } from '../../kernel/vfs';
import { strerror } from '../../kernel/errno';
import type { Command, CommandContext } from '../shell';
import { HOME, RUNAWAY_BYTES } from '../shell';

/** coreutils' read size for cat (io_blksize: 128 KiB) and head's (BUFSIZ). */
const CAT_CHUNK = 131072;
const HEAD_CHUNK = 8192;

/**
 * Read a file (or stdin, for `-` or no file) chunk by chunk, handing each to `take`, which returns
 * false to stop early. Returns 0, or a negative errno of open or read (what was read before a
 * failing read has been handed over), or 'runaway' when the file never ended.
 */
function readChunks(c: CommandContext, path: string | undefined, chunk: number, take: (text: string) => boolean): number | 'runaway' {
  if (path === undefined || path === '-') {
    take(c.stdin ?? '');
    return 0;
  }
  const f: OpenFile | number = c.sh.vfs.open(path, { flags: O_RDONLY, task: c.task }, c.sh.cwd);
  if (typeof f === 'number') return f;
  try {
    let total = 0;
    for (;;) {
      const r = f.read(chunk);
      if (typeof r === 'number') return r;
      if (r.length === 0) return 0;
      if (!take(decodeLatin1(r))) return 0;
      total += r.length;
      if (total >= RUNAWAY_BYTES) return 'runaway';
    }
  } finally {
    f.release();
  }
}

function runawayNote(c: CommandContext, path: string): void {
  c.err(`kmodlab: ${c.name}: stopped after ${RUNAWAY_BYTES} bytes of ${path}: its read handler never returned 0 (end of file); does it advance and check *offset?\n`);
}

export const catCommand: Command = (c) => {
  const files = c.args.length ? c.args : ['-'];
  let status = 0;
  for (const path of files) {
    let writeErr = 0;
    const r = readChunks(c, path, CAT_CHUNK, (text) => {
      const n = c.out(text);
      if (n < 0) writeErr = n;
      return n >= 0;
    });
    if (writeErr) {
      c.err(`cat: write error: ${strerror(-writeErr)}\n`);
      return 1;
    }
    if (r === 'runaway') runawayNote(c, path);
    else if (r < 0) c.err(`cat: ${path}: ${strerror(-r)}\n`);
    if (r !== 0) status = 1;
  }
  return status;
};

/** `-n N`, `-nN`, `-N`, `--lines=N`: the line count head and tail take (default 10), or an error. */
function lineCount(c: CommandContext): { count: number; files: string[] } | undefined {
  let count = 10;
  const files: string[] = [];
  for (let i = 0; i < c.args.length; i++) {
    const a = c.args[i];
    let value: string | undefined;
    if (a === '-n') value = c.args[++i];
    else if (a.startsWith('--lines=')) value = a.slice(8);
    else if (/^-n./.test(a)) value = a.slice(2);
    else if (/^-\d+$/.test(a)) value = a.slice(1);
    else if (a.startsWith('-') && a !== '-') {
      c.err(`${c.name}: invalid option -- '${a.slice(1, 2)}'\nTry '${c.name} --help' for more information.\n`);
      return undefined;
    } else {
      files.push(a);
      continue;
    }
    if (value === undefined || !/^\+?\d+$/.test(value)) {
      c.err(value === undefined ? `${c.name}: option requires an argument -- 'n'\n` : `${c.name}: invalid number of lines: '${value}'\n`);
      return undefined;
    }
    count = Number(value);
  }
  return { count, files: files.length ? files : ['-'] };
}

/** head/tail over each file, with `==> name <==` headers when there are several. */
function eachLines(c: CommandContext, chunk: number, pick: (text: string, count: number) => { text: string; done: boolean }): number {
  const opts = lineCount(c);
  if (!opts) return 1;
  let status = 0;
  opts.files.forEach((path, i) => {
    if (opts.files.length > 1) c.out(`${i > 0 ? '\n' : ''}==> ${path === '-' ? 'standard input' : path} <==\n`);
    let text = '';
    const r = readChunks(c, path, chunk, (t) => {
      text += t;
      return !pick(text, opts.count).done;
    });
    if (typeof r === 'number' && r < 0 && text === '') {
      c.err(`${c.name}: cannot open '${path}' for reading: ${strerror(-r)}\n`);
      status = 1;
      return;
    }
    c.out(pick(text, opts.count).text);
    if (r === 'runaway') runawayNote(c, path);
    else if (r < 0) {
      c.err(`${c.name}: error reading '${path}': ${strerror(-r)}\n`);
      status = 1;
    }
  });
  return status;
}

export const headCommand: Command = (c) =>
  eachLines(c, HEAD_CHUNK, (text, n) => {
    let end = 0;
    for (let seen = 0; seen < n; seen++) {
      const nl = text.indexOf('\n', end);
      if (nl < 0) return { text, done: false };
      end = nl + 1;
    }
    return { text: text.slice(0, end), done: true };
  });

export const tailCommand: Command = (c) =>
  eachLines(c, CAT_CHUNK, (text, n) => {
    const lines = text.split(/(?<=\n)/);
    return { text: n === 0 ? '' : lines.slice(-n).join(''), done: false };
  });

/** bash's echo: -n (no newline), -e (backslash escapes), -E; one write(2) of the whole line. */
export const echoCommand: Command = (c) => {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < c.args.length && /^-[neE]+$/.test(c.args[i]); i++) {
    for (const f of c.args[i].slice(1)) {
      if (f === 'n') newline = false;
      else escapes = f === 'e';
    }
  }
  let text = c.args.slice(i).join(' ');
  if (escapes) text = unescape(text);
  const n = c.out(text + (newline ? '\n' : ''));
  if (n < 0) {
    c.err(`bash: echo: write error: ${strerror(-n)}\n`);
    return 1;
  }
  return 0;
};

function unescape(s: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', e: '\x1b' };
  return s.replace(/\\(0[0-7]{0,3}|x[0-9a-fA-F]{1,2}|.)/g, (m, e: string) => {
    if (e[0] === '0') return String.fromCharCode(parseInt(e.slice(1) || '0', 8));
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return map[e] ?? m;
  });
}

export const cdCommand: Command = (c) => {
  const target = c.args[0] ?? HOME;
  const node = c.sh.vfs.lookup(target, { cwd: c.sh.cwd });
  if (typeof node === 'number' || node.kind !== 'dir') {
    c.err(`bash: cd: ${target}: ${strerror(typeof node === 'number' ? -node : 20)}\n`);
    return 1;
  }
  c.sh.cwd = c.sh.vfs.pathOf(node);
  return 0;
};

export const pwdCommand: Command = (c) => {
  c.out(`${c.sh.cwd}\n`);
  return 0;
};

/** mknod [-m MODE] NAME c MAJOR MINOR: a character device node (the only kind the tree has). */
export const mknodCommand: Command = (c) => {
  let perm = 0o666 & ~0o022;
  const rest: string[] = [];
  for (let i = 0; i < c.args.length; i++) {
    const a = c.args[i];
    if (a === '-m' || a.startsWith('--mode=')) {
      const m = a === '-m' ? c.args[++i] : a.slice(7);
      if (m === undefined || !/^[0-7]{1,4}$/.test(m)) {
        c.err(`mknod: invalid mode${m === undefined ? '' : ` '${m}'`}\n`);
        return 1;
      }
      perm = parseInt(m, 8);
    } else rest.push(a);
  }
  const [name, type, major, minor] = rest;
  if (name === undefined || type === undefined) {
    c.err(`mknod: missing operand${name === undefined ? '' : ` after '${name}'`}\nTry 'mknod --help' for more information.\n`);
    return 1;
  }
  if (!['c', 'u', 'b', 'p'].includes(type)) {
    c.err(`mknod: invalid device type '${type}'\nTry 'mknod --help' for more information.\n`);
    return 1;
  }
  if (type !== 'p' && (major === undefined || minor === undefined)) {
    c.err(`mknod: missing operand after '${rest[rest.length - 1]}'\nSpecial files require major and minor device numbers.\nTry 'mknod --help' for more information.\n`);
    return 1;
  }
  for (const n of [major, minor]) {
    if (type !== 'p' && !/^\d+$/.test(n)) {
      c.err(`mknod: invalid ${n === major ? 'major' : 'minor'} device number '${n}'\n`);
      return 1;
    }
  }
  if (type !== 'c' && type !== 'u') {
    c.err(`mknod: ${name}: Operation not supported\n`);
    return 1;
  }
  const where = c.sh.vfs.parentOf(name, c.sh.cwd);
  const made = typeof where === 'number' ? where : c.sh.vfs.mknod(where.dir, where.name, perm & 0o7777, Number(major), Number(minor));
  if (typeof made === 'number') {
    c.err(`mknod: ${name}: ${strerror(-made)}\n`);
    return 1;
  }
  return 0;
};

// ---- ls ------------------------------------------------------------------------------------------------

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ls [-l] [-a] [-1] [PATH...]: names one per line, or coreutils' long format with aligned columns. */
export const lsCommand: Command = (c) => {
  let long = false;
  let all = false;
  const paths: string[] = [];
  for (const a of c.args) {
    if (a.startsWith('-') && a.length > 1) {
      for (const f of a.slice(1)) {
        if (f === 'l') long = true;
        else if (f === 'a') all = true;
        else if (f !== '1') {
          c.err(`ls: invalid option -- '${f}'\nTry 'ls --help' for more information.\n`);
          return 2;
        }
      }
    } else paths.push(a);
  }
  if (paths.length === 0) paths.push('.');
  let status = 0;
  const files: { label: string; node: VNode }[] = [];
  const dirs: { label: string; node: VNode & { kind: 'dir' } }[] = [];
  for (const p of paths) {
    const node = c.sh.vfs.lookup(p, { cwd: c.sh.cwd, noFollow: long });
    if (typeof node === 'number') {
      c.err(`ls: cannot access '${p}': ${strerror(-node)}\n`);
      status = 2;
    } else if (node.kind === 'dir') dirs.push({ label: p, node });
    else files.push({ label: p, node });
  }
  if (files.length) printEntries(c, files, long, false);
  dirs.forEach((d, i) => {
    if (files.length || i > 0) c.out('\n');
    if (paths.length > 1) c.out(`${d.label}:\n`);
    const entries = c.sh.vfs.list(d.node).map((node) => ({ label: node.name, node }));
    if (all) entries.unshift({ label: '.', node: d.node }, { label: '..', node: d.node.parent ?? d.node });
    printEntries(c, entries, long, true);
  });
  return status;
};

function printEntries(c: CommandContext, entries: { label: string; node: VNode }[], long: boolean, total: boolean): void {
  if (!long) {
    // On a terminal (and not into a pipe) names go in columns; otherwise one per line.
    const width = c.stdoutIsTerminal ? c.sh.terminalColumns : undefined;
    c.out(width === undefined ? entries.map((e) => `${e.label}\n`).join('') : columns(entries.map((e) => e.label), width));
    return;
  }
  const rows = entries.map((e) => longRow(c, e.node, e.label));
  if (total) c.out(`total ${rows.reduce((s, r) => s + r.blocks, 0)}\n`);
  const w = (f: (r: LongRow) => number): number => Math.max(0, ...rows.map(f));
  const links = w((r) => r.links.length);
  const major = w((r) => r.major?.length ?? 0);
  const minor = w((r) => r.minor?.length ?? 0);
  const size = Math.max(w((r) => r.size.length), major ? major + 2 + minor : 0);
  for (const r of rows) {
    const sizeCol = r.major !== undefined ? `${r.major.padStart(major)}, ${r.minor!.padStart(minor)}`.padStart(size) : r.size.padStart(size);
    c.out(`${r.mode} ${r.links.padStart(links)} root root ${sizeCol} ${r.date} ${r.name}\n`);
  }
}

/**
 * coreutils' vertical columns (ls -C): the most columns that fit the width, names running down
 * each column first, every column as wide as its longest name plus two spaces but the last.
 */
export function columns(names: readonly string[], width: number): string {
  if (names.length === 0) return '';
  for (let cols = names.length; cols >= 1; cols--) {
    const rows = Math.ceil(names.length / cols);
    // A layout whose last columns would be empty is the same as one with fewer columns.
    if (Math.ceil(names.length / rows) !== cols) continue;
    const colWidths = Array.from({ length: cols }, (_, j) => Math.max(...names.slice(j * rows, (j + 1) * rows).map((n) => n.length)) + (j < cols - 1 ? 2 : 0));
    if (cols > 1 && colWidths.reduce((a, b) => a + b, 0) > width) continue;
    let out = '';
    for (let i = 0; i < rows; i++) {
      let line = '';
      for (let j = 0; j < cols; j++) {
        const name = names[j * rows + i];
        if (name === undefined) continue;
        const last = j === cols - 1 || names[(j + 1) * rows + i] === undefined;
        line += last ? name : name.padEnd(colWidths[j]);
      }
      out += `${line}\n`;
    }
    return out;
  }
  return '';
}

interface LongRow {
  mode: string;
  links: string;
  size: string;
  major?: string;
  minor?: string;
  date: string;
  name: string;
  blocks: number;
}

function longRow(c: CommandContext, node: VNode, label: string): LongRow {
  const subdirs = node.kind === 'dir' ? [...node.children.values()].filter((n) => n.kind === 'dir').length : 0;
  const size = node.kind === 'file' ? node.ops.size() : node.kind === 'symlink' ? node.target.length : 0;
  const blocks = node.kind === 'file' && node.ops.blocks ? node.ops.blocks() : 0;
  return {
    mode: modeString(node.mode),
    links: String(node.kind === 'dir' ? 2 + subdirs : 1),
    size: String(size),
    major: node.kind === 'chr' ? String(node.major) : undefined,
    minor: node.kind === 'chr' ? String(node.minor) : undefined,
    date: lsDate(c.sh.machine.clock.wallClockMs(node.createdNs)),
    name: node.kind === 'symlink' ? `${label} -> ${node.target}` : label,
    blocks,
  };
}

/** `Jul 30 00:16`: ls's format for a time in the last six months (UTC: the machine has no time zone). */
function lsDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** tee [-a] FILE...: stdin to each file (one write(2) per file) and to stdout. */
export const teeCommand: Command = (c) => {
  const append = c.args.includes('-a') || c.args.includes('--append');
  const text = c.stdin ?? '';
  let status = 0;
  for (const path of c.args.filter((a) => a !== '-a' && a !== '--append')) {
    const f = c.sh.vfs.open(path, { flags: O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), task: c.task }, c.sh.cwd);
    if (typeof f === 'number') {
      c.err(`tee: ${path}: ${strerror(-f)}\n`);
      status = 1;
      continue;
    }
    const n = f.write(encodeLatin1(text));
    f.release();
    if (n < 0) {
      c.err(`tee: ${path}: ${strerror(-n)}\n`);
      status = 1;
    }
  }
  c.out(text);
  return status;
};

// ---- grep ----------------------------------------------------------------------------------------------

/**
 * grep [-i] [-v] [-c] [-n] [-E|-F] PATTERN [FILE...]: lines that match, status 1 when none did.
 * Basic regular expressions are read as POSIX defines them (`\(`, `\|`, `\+` are the operators,
 * bare `(`, `|`, `+` are literal); -E takes extended ones, -F a fixed string.
 */
export const grepCommand: Command = (c) => {
  const flags = new Set<string>();
  const rest: string[] = [];
  for (const a of c.args) {
    if (/^-[ivcnEFw]+$/.test(a)) for (const f of a.slice(1)) flags.add(f);
    else if (a.startsWith('-') && a !== '-') {
      c.err(`grep: invalid option -- '${a.slice(1, 2)}'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n`);
      return 2;
    } else rest.push(a);
  }
  const [pattern, ...files] = rest;
  if (pattern === undefined) {
    c.err("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    return 2;
  }
  let source = flags.has('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : flags.has('E') ? pattern : basicToJs(pattern);
  if (flags.has('w')) source = `(?<![A-Za-z0-9_])(?:${source})(?![A-Za-z0-9_])`;
  let re: RegExp;
  try {
    re = new RegExp(source, flags.has('i') ? 'i' : '');
  } catch {
    c.err('grep: Unmatched ( or \\(\n');
    return 2;
  }
  const targets = files.length ? files : ['-'];
  let matched = 0;
  let status = 0;
  for (const path of targets) {
    let text = '';
    const r = readChunks(c, path, CAT_CHUNK, (t) => ((text += t), true));
    if (typeof r === 'number' && r < 0) {
      c.err(`grep: ${path}: ${strerror(-r)}\n`);
      status = 2;
      continue;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let count = 0;
    lines.forEach((line, i) => {
      if (re.test(line) === flags.has('v')) return;
      count++;
      if (flags.has('c')) return;
      const prefix = (targets.length > 1 ? `${path}:` : '') + (flags.has('n') ? `${i + 1}:` : '');
      c.out(`${prefix}${line}\n`);
    });
    if (flags.has('c')) c.out(`${targets.length > 1 ? `${path}:` : ''}${count}\n`);
    matched += count;
  }
  return status || (matched > 0 ? 0 : 1);
};

/** A POSIX basic regular expression as a JavaScript one. */
function basicToJs(bre: string): string {
  let out = '';
  for (let i = 0; i < bre.length; i++) {
    const ch = bre[i];
    if (ch === '\\' && i + 1 < bre.length) {
      const next = bre[++i];
      out += '(){}|+?'.includes(next) ? next : `\\${next}`;
    } else out += '(){}|+?'.includes(ch) ? `\\${ch}` : ch;
  }
  return out;
}

// The kernel shell: a root shell on the emulated machine, as a student reaches a Debian 6.1 VM over
// ssh. It runs parsed lines (parse.ts) against one booted machine: pipelines, `&&`/`||`, `;`,
// redirections through the machine's file tree (vfs.ts), `$?`, and the commands of commands/*.ts
// (kmod's insmod/rmmod/lsmod/modinfo, util-linux's dmesg, coreutils' cat/head/ls/echo/mknod,
// procps' free, sleep). Messages use the wording of those tools and of bash.
//
// The modules the student has open are `.ko` files in root's home (`/root/hello.ko`); insmod of
// one builds it from its C source then, so the .ko is always the current source.
//
// Invariants: `run` never throws on any input (a thrown error is a bug in Kernel Module Lab and is
// reported as an internal error line); time moves only when the machine works (insmod, rmmod, a
// module's handler) or the user sleeps; every command that reaches module code runs as its own
// task (`cat` with its own pid), builtins as the shell (`bash`), as on Linux.

import type { Booted } from '../kernel/boot';
import { kernelHeaders } from '../kernel/boot';
import type { FrontEndResult } from '../frontend';
import { frontEnd, moduleNameOf } from '../frontend';
import { mountProcFiles } from '../kernel/procfiles';
import { syncSysModule } from '../kernel/sysmodule';
import type { OpenFile, Opener, Vfs } from '../kernel/vfs';
import { E, O_APPEND, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, encodeLatin1, decodeLatin1, generatedFile, vfsOf } from '../kernel/vfs';
import { strerror } from '../kernel/errno';
import { takeKill } from '../kernel/fs/files';
import type { SimpleCommand, Word } from './parse';
import { parseShell } from './parse';
import { COMMANDS } from './commands/index';

/** A module the machine can load: its C source, seen as `<name>.ko` in /root. */
export interface ShellModule {
  readonly fileName: string;
  readonly text: string;
  /** Reads a file next to the module for `#include "..."`. */
  readonly readLocal?: (name: string) => string | undefined;
}

/** What one line printed (stdout and stderr interleaved, as a terminal shows them) and its status. */
export interface ShellResult {
  readonly output: string;
  readonly status: number;
  /** `dmesg -w` ran: an interactive terminal keeps printing new kernel messages until Ctrl-C. */
  readonly follow: boolean;
  /** `exit` ran. */
  readonly exit: boolean;
}

/** Where a command's output goes: returns bytes written or a negative errno. */
export type Sink = (text: string) => number;

/** Everything a command gets: its arguments, its streams, its task and the shell it runs in. */
export interface CommandContext {
  /** argv[0] as typed. */
  readonly name: string;
  readonly args: readonly string[];
  readonly sh: Shell;
  /** The task the command runs as (its pid and comm, which module code sees as `current`). */
  readonly task: Opener;
  /** The previous command's output in a pipeline, or undefined when stdin is the terminal. */
  readonly stdin: string | undefined;
  /** Write to stdout: bytes written, or a negative errno when the redirected file refused them. */
  readonly out: Sink;
  /** Write to stderr (always the terminal). */
  readonly err: (text: string) => void;
  /** stdout is the terminal itself (not a pipe or a file). */
  readonly stdoutIsTerminal: boolean;
  /**
   * `dmesg -w`: an interactive terminal keeps following after the command; `more(seq)` formats
   * what was logged from sequence number `seq` on, and `from` is where the command stopped.
   */
  readonly follow: (more: (seq: number) => string, from: number) => void;
}

/** A command: returns its exit status. */
export type Command = (c: CommandContext) => number;

/** The prompt's host name. */
export const HOSTNAME = 'kmodlab';
/** Root's home, where the modules' `.ko` files are. */
export const HOME = '/root';
/** Output stops here when a module's read handler never reports end of file. */
export const RUNAWAY_BYTES = 1 << 20;

/** What the guides have students type that this machine does differently: a line after bash's. */
const HINTS: Record<string, string> = {
  make: 'no build step here: insmod NAME.ko builds NAME.c as the editor has it (ls shows the .ko files)',
  journalctl: 'the kernel log is read with dmesg on this machine (dmesg -w follows it)',
  modprobe: 'the modules are not installed: load one with insmod NAME.ko (ls shows the .ko files)',
};

/** What a command on a panicked machine prints. */
const PANICKED_NOTE = 'kmodlab: the emulated kernel panicked; the machine has stopped (dmesg shows the panic)';

/** The pid of the shell (bash) itself; each command after it gets the next free pid. */
const SHELL_PID = 120;

export class Shell {
  readonly vfs: Vfs;
  cwd = HOME;
  /** `$?`. */
  status = 0;
  /**
   * The terminal's width when stdout is a terminal (`ls` then prints names in columns, as
   * coreutils does on a tty); undefined for scripts and pipes into files (one name per line).
   */
  terminalColumns: number | undefined = undefined;
  private nextPid = SHELL_PID + 1;
  private readonly modules = new Map<string, ShellModule>();
  private readonly built = new Map<string, { text: string; fe: FrontEndResult }>();

  constructor(readonly machine: Booted, modules: readonly ShellModule[] = []) {
    this.vfs = vfsOf(machine.kernel);
    mountProcFiles(this.vfs, { kernel: machine.kernel, mm: machine.mm });
    this.setModules(modules);
  }

  /** The shell process, as builtins (echo, cd) run. */
  readonly task: Opener = { pid: SHELL_PID, comm: 'bash' };

  /**
   * Replace the modules on offer (the editor's open files): their `.ko` files appear in /root.
   * A module still on offer keeps its file (and its time in `ls -l`); only its source is updated.
   */
  setModules(modules: readonly ShellModule[]): void {
    const home = this.vfs.mkdirs(HOME, 0o700);
    if (typeof home === 'number') return;
    const wanted = new Map(modules.map((m) => [koFileName(m.fileName), m]));
    for (const ko of this.modules.keys()) {
      const node = home.children.get(ko);
      if (node && !wanted.has(ko)) this.vfs.remove(node);
    }
    for (const ko of wanted.keys()) {
      // The .ko's bytes are not modelled: its size in `ls -l` is that of its source.
      if (!home.children.has(ko)) this.vfs.createFile(home, ko, 0o644, { ...generatedFile(() => ''), size: () => this.modules.get(ko)?.text.length ?? 0 });
    }
    this.modules.clear();
    for (const [ko, m] of wanted) this.modules.set(ko, m);
  }

  /** The module whose `.ko` a path names (`hello.ko`, `./hello.ko`, `/root/hello.ko`), if the file is there. */
  moduleAt(path: string): ShellModule | undefined {
    const node = this.vfs.lookup(path, { cwd: this.cwd });
    if (typeof node === 'number' || node.kind !== 'file' || node.parent?.name !== HOME.slice(1)) return undefined;
    return this.modules.get(node.name);
  }

  /** Every module on offer, by `.ko` file name. */
  moduleFiles(): ReadonlyMap<string, ShellModule> {
    return this.modules;
  }

  /** The module's front-end result, built once per source text. */
  build(m: ShellModule): FrontEndResult {
    const cached = this.built.get(m.fileName);
    if (cached && cached.text === m.text) return cached.fe;
    const fe = frontEnd({ fileName: m.fileName, text: m.text, readLocal: m.readLocal }, kernelHeaders());
    this.built.set(m.fileName, { text: m.text, fe });
    return fe;
  }

  /** `root@kmodlab:~# `, with the working directory as bash's \w shows it. */
  prompt(): string {
    const dir = this.cwd === HOME ? '~' : this.cwd.startsWith(`${HOME}/`) ? `~${this.cwd.slice(HOME.length)}` : this.cwd;
    return `root@${HOSTNAME}:${dir}# `;
  }

  /** A new process for a command (its pid; comm is the command's name, as exec sets it). */
  spawn(comm: string): Opener {
    return { pid: this.nextPid++, comm: comm.slice(0, 15) };
  }

  /** What `dmesg -w` follows: its formatter and the next sequence number to show. */
  private following: { more: (seq: number) => string; seq: number } | undefined;

  /**
   * A step of `dmesg -w` in an interactive terminal: the shell sleeps `ns` of virtual time (so
   * timers and work fall due and run) and returns what was logged meanwhile. Empty when nothing
   * is being followed.
   */
  followTick(ns: number): string {
    const f = this.following;
    if (!f || this.machine.kernel.panicked) return '';
    try {
      this.machine.kernel.slept(Math.max(0, ns));
      const text = f.more(f.seq);
      f.seq = this.machine.printk.seq;
      return text;
    } catch (e) {
      this.following = undefined;
      return `kmodlab: internal error in Kernel Module Lab: ${e instanceof Error ? e.message : String(e)}\n`;
    }
  }

  /** Run one line. Never throws. */
  run(line: string): ShellResult {
    this.following = undefined;
    const out: string[] = [];
    const state = { follow: false, exit: false };
    const term: Sink = (text) => {
      out.push(text);
      return text.length;
    };
    try {
      const parsed = parseShell(line);
      if (!parsed.ok) {
        out.push(`bash: ${parsed.error}\n`);
        this.status = 2;
      } else {
        for (const andOr of parsed.script) {
          this.status = this.pipeline(andOr.first.commands, term, state);
          for (const next of andOr.rest) {
            if (state.exit) break;
            if ((next.op === '&&') === (this.status === 0)) this.status = this.pipeline(next.pipeline.commands, term, state);
          }
          if (state.exit) break;
        }
      }
    } catch (e) {
      out.push(`kmodlab: internal error in Kernel Module Lab: ${e instanceof Error ? e.message : String(e)}\n`);
      this.status = 1;
    }
    return { output: out.join(''), status: this.status, follow: state.follow, exit: state.exit };
  }

  /** A pipeline: each command's stdout is the next one's stdin; the status is the last one's. */
  private pipeline(commands: readonly SimpleCommand[], term: Sink, state: { follow: boolean; exit: boolean }): number {
    let stdin: string | undefined;
    let status = 0;
    commands.forEach((cmd, i) => {
      const last = i === commands.length - 1;
      const piped: string[] = [];
      const sink: Sink = last ? term : (t) => (piped.push(t), t.length);
      status = this.simple(cmd, stdin, sink, term, state);
      stdin = piped.join('');
    });
    return status;
  }

  /** One command with its redirections. */
  private simple(cmd: SimpleCommand, stdin: string | undefined, stdout: Sink, term: Sink, state: { follow: boolean; exit: boolean }): number {
    // /sys/module follows the module list (a module loaded by the command before is there).
    syncSysModule(this.vfs, this.machine.kernel);
    const argv = withoutSudo(cmd.words.flatMap((w) => this.expandArgs(w)));
    const k = this.machine.kernel;
    // One process per command: its redirections are opened by it, its system calls made by it.
    const task = argv.length ? this.taskFor(argv[0]) : this.task;
    // An Oops in a module handler kills the task in the middle of a system call (the call returns
    // -EINTR); what the dying command would print after that never appears.
    let killed: 'SIGKILL' | 'SIGSEGV' | undefined;
    const alive = (): boolean => (killed ??= takeKill(k, task.pid)) === undefined;
    const err = (text: string): void => void (alive() && term(text));
    const opened: OpenFile[] = [];
    let out: Sink = (text) => (alive() ? stdout(text) : -E.EINTR);
    let toTerminal = stdout === term;
    let errSink = err;
    const status = ((): number => {
      for (const r of cmd.redirects) {
        const path = this.expand(r.target);
        if (r.op === '<') {
          const read = this.readAll(path, task);
          if (typeof read === 'number') {
            err(`bash: ${path}: ${strerror(-read)}\n`);
            return 1;
          }
          stdin = read;
          continue;
        }
        const flags = O_WRONLY | O_CREAT | (r.op === '>>' ? O_APPEND : O_TRUNC);
        const f = this.vfs.open(path, { flags, task }, this.cwd);
        if (typeof f === 'number') {
          err(`bash: ${path}: ${strerror(-f)}\n`);
          return 1;
        }
        opened.push(f);
        const sink = fileSink(f);
        if (r.fd === 2) errSink = (t) => void (alive() && sink(t));
        else if (r.fd === 1) {
          out = (t) => (alive() ? sink(t) : -E.EINTR);
          toTerminal = false;
        }
      }
      if (argv.length === 0) return 0;
      const name = argv[0];
      if (name === 'exit') {
        state.exit = true;
        return argv[1] !== undefined ? Number(argv[1]) & 0xff : this.status;
      }
      const command = COMMANDS.get(name);
      if (!command) {
        err(`bash: ${name}: command not found\n`);
        if (HINTS[name]) err(`kmodlab: ${HINTS[name]}\n`);
        return 127;
      }
      // After a panic the machine runs nothing more; the log stays readable, for the report.
      if (k.panicked && name !== 'dmesg' && !BUILTINS.has(name)) {
        err(`${PANICKED_NOTE}\n`);
        return 255;
      }
      const follow = (more: (seq: number) => string, from: number): void => {
        state.follow = true;
        this.following = { more, seq: from };
      };
      return command({ name, args: argv.slice(1), sh: this, task, stdin, out, err: errSink, follow, stdoutIsTerminal: toTerminal });
    })();
    // close(2): the last reference goes, the file's release handler runs.
    for (const f of opened) f.release();
    if (alive()) return status;
    // bash reports a job killed by a signal; for a builtin (echo > file) Linux would kill the shell
    // itself and end the session, which Kernel Module Lab spares the student.
    term(killed === 'SIGKILL' ? 'Killed\n' : 'Segmentation fault\n');
    return killed === 'SIGKILL' ? 137 : 139;
  }

  /** Builtins run as the shell process; everything else is a new process named after the command. */
  private taskFor(name: string): Opener {
    return BUILTINS.has(name) ? this.task : this.spawn(name.replace(/^.*\//, ''));
  }

  /** A word's text with `$?` and other parameters expanded (unknown ones are empty, as in bash); patterns stay as typed. */
  expand(word: Word): string {
    return word.map((p) => (typeof p === 'string' ? p : 'glob' in p ? p.glob : this.param(p.param))).join('');
  }

  /**
   * A word as arguments: a word with an unquoted `*` or `?` becomes the matching paths, sorted
   * (bash's pathname expansion; names starting with `.` only match a pattern that starts with
   * one); a pattern that matches nothing stays as typed.
   */
  private expandArgs(word: Word): string[] {
    if (!word.some((p) => typeof p !== 'string' && 'glob' in p)) return [this.expand(word)];
    const text = this.expand(word);
    // The word as path components, each a list of literal text and pattern characters.
    const components: (string | '*' | '?')[][] = [[]];
    for (const p of word) {
      if (typeof p !== 'string' && 'glob' in p) {
        components[components.length - 1].push(p.glob);
        continue;
      }
      const lit = typeof p === 'string' ? p : this.param(p.param);
      lit.split('/').forEach((piece, i) => {
        if (i > 0) components.push([]);
        if (piece) components[components.length - 1].push(`=${piece}`);
      });
    }
    let paths = [text.startsWith('/') ? '/' : ''];
    for (const comp of components.filter((c) => c.length > 0)) {
      const plain = comp.every((c) => c.startsWith('='));
      const name = comp.map((c) => c.slice(1)).join('');
      const re = new RegExp(`^${comp.map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.slice(1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 's');
      const next: string[] = [];
      for (const base of paths) {
        const dir = this.vfs.lookup(base || '.', { cwd: this.cwd });
        if (typeof dir === 'number' || dir.kind !== 'dir') continue;
        const join = (n: string): string => (base === '' ? n : base.endsWith('/') ? base + n : `${base}/${n}`);
        if (plain) {
          if (name === '.' || name === '..' || dir.children.has(name)) next.push(join(name));
          continue;
        }
        for (const child of this.vfs.list(dir)) {
          if (child.name.startsWith('.') && !name.startsWith('.')) continue;
          if (re.test(child.name)) next.push(join(child.name));
        }
      }
      paths = next;
    }
    return paths.length ? paths : [text];
  }

  private param(name: string): string {
    if (name === '?') return String(this.status);
    if (name === '$') return String(SHELL_PID);
    if (name === 'HOME') return HOME;
    if (name === 'PWD') return this.cwd;
    return '';
  }

  /**
   * The whole contents of a file, read the way cat reads it (`chunk` bytes per read(2)), or a
   * negative errno from open or the first failing read. Stops at RUNAWAY_BYTES.
   */
  readAll(path: string, task: Opener, chunk = 131072): string | number {
    const f = this.vfs.open(path, { flags: O_RDONLY, task }, this.cwd);
    if (typeof f === 'number') return f;
    try {
      let text = '';
      for (;;) {
        const r = f.read(chunk);
        if (typeof r === 'number') return r;
        if (r.length === 0 || text.length >= RUNAWAY_BYTES) return text;
        text += decodeLatin1(r);
      }
    } finally {
      f.release();
    }
  }
}

/** bash builtins among the commands: they run in the shell's own process. */
const BUILTINS = new Set(['echo', 'cd', 'pwd', 'true', 'false', 'help', 'exit', ':']);

/**
 * The guides write `sudo insmod hello.ko`; the shell is root already, so `sudo` (with its
 * options) just runs the command, as it would for root.
 */
function withoutSudo(argv: string[]): string[] {
  let i = 0;
  while (argv[i] === 'sudo') {
    i++;
    while (argv[i]?.startsWith('-')) i++;
  }
  return i === 0 ? argv : argv.slice(i);
}

/** `hello-5.c` → `hello-5.ko` (the .ko keeps the file's name; the module name has `_`). */
export function koFileName(fileName: string): string {
  return `${fileName.replace(/^.*[\\/]/, '').replace(/\.c$/, '')}.ko`;
}

/** The module name a `.ko` path or a name given to rmmod means (`./hello-5.ko` → `hello_5`). */
export function moduleNameFromArg(arg: string): string {
  return moduleNameOf(arg.replace(/\.ko$/, ''));
}

/** Write all of `text` to an open file, as stdio's fflush loops over short writes. */
function fileSink(f: OpenFile): Sink {
  return (text) => {
    let bytes = encodeLatin1(text);
    let written = 0;
    // A handler that accepts nothing would make stdio loop forever; give up after a few tries.
    for (let tries = 0; bytes.length > 0 && tries < 64; tries++) {
      const n = f.write(bytes);
      if (n < 0) return n;
      written += n;
      bytes = bytes.subarray(Math.max(0, n));
    }
    return written;
  };
}

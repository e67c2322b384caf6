// The `kmodlab` command line. It is the only part besides src/ui that touches the file system:
// it reads the module (and `#include "..."` files from the module's own folder), then hands text to
// the pure core.
//
//   kmodlab load FILE.c [--unload] [--param name=value]... [--fail-nth N] [--json] ...
//   kmodlab check FILE.c... [--format text|json|sarif]
//   kmodlab shell [FILE.c...]                  a root shell on the emulated machine (stdin/stdout)
//   kmodlab run SCRIPT [--module FILE.c]...    a script of shell lines, echoed with their output

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { runModule, formatDiagnostic, KERNEL_CONFIG_NAMES, bootShell, runScript } from './core/index';
import type { KernelOptions, ShellModule } from './core/index';
import type { KernelConfigName, RunResult } from './core/index';
import { analyze, frontEnd, kernelHeaders, toJsonFindings, toSarif } from './core/index';
import type { Diagnostic, SourceFile } from './core/index';

const USAGE = `Kernel Module Lab: run Linux kernel modules in an emulated Linux 6.1 kernel.

Usage:
  kmodlab load FILE.c [options]    insmod the module, print the kernel log (dmesg)
  kmodlab check FILE.c... [--format text|json|sarif]
                                   analyze modules without running them: sleeping in atomic
                                   context, missing NULL checks, kfree/vfree mismatches, leaks,
                                   double frees, use after free, large stack frames; exits 1
                                   when there are findings
  kmodlab shell [FILE.c...] [kernel options]
                                   a root shell on a fresh emulated machine: insmod FILE.ko,
                                   rmmod, lsmod, modinfo, dmesg, cat, echo > FILE, ls, free,
                                   sleep, ... (type help); each FILE.c is FILE.ko in /root
  kmodlab run SCRIPT [--module FILE.c]... [kernel options]
                                   run a script of shell lines, printing each as \`# line\`
                                   and then its output; without --module, SCRIPT's sibling
                                   .c file (hello.sh → hello.c) is the module

Options for load:
  --unload              rmmod the module after loading it
  --param NAME=VALUE    a module parameter (repeatable), as insmod takes them
  --fail-nth N          make the Nth allocation fail (failslab), to test NULL checks
  --fail-rate P         make a share P (0..1) of allocations fail
  --config NAME         kernel debug configuration: full (default), default, slub_debug, kasan, kmemleak
  --seed N              seed for addresses and hashed pointers (default 0)
  --ram MIB             emulated RAM in MiB (default 128)
  --format dmesg|messages
                        log style: dmesg (default) or /var/log/messages
  --json                print the log, findings and memory snapshot as JSON
  -h, --help            this help

Kernel options (load, shell, run): --config, --seed, --ram, --fail-nth, --fail-rate
`;

/** The options that choose the emulated machine (load, shell, run). */
interface KernelArgs {
  failNth?: number;
  failRate?: number;
  config: KernelConfigName;
  seed: number;
  ramMiB?: number;
}

interface LoadArgs extends KernelArgs {
  file: string;
  unload: boolean;
  params: string[];
  json: boolean;
  format: 'dmesg' | 'messages';
}

function fail(msg: string): never {
  process.stderr.write(`kmodlab: ${msg}\n`);
  process.exit(2);
}

/** Call `take` on each argument, with `value()` taking the next one as the option's value. */
function eachArg(argv: readonly string[], take: (arg: string, value: () => string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    take(arg, () => {
      const v = argv[++i];
      if (v === undefined) fail(`${arg} needs a value`);
      return v;
    });
  }
}

function parseLoadArgs(argv: string[]): LoadArgs {
  const a: LoadArgs = { file: '', unload: false, params: [], config: 'full', seed: 0, json: false, format: 'dmesg' };
  eachArg(argv, (arg, value) => {
    switch (arg) {
      case '--unload': a.unload = true; break;
      case '--param': a.params.push(value()); break;
      case '--format': {
        const f = value();
        if (f !== 'dmesg' && f !== 'messages') fail('--format takes dmesg or messages');
        a.format = f;
        break;
      }
      case '--json': a.json = true; break;
      default:
        if (kernelOption(arg, value, a)) break;
        if (arg.startsWith('-')) fail(`unknown option ${arg} (see kmodlab --help)`);
        if (a.file) fail('load takes one module file');
        a.file = arg;
    }
  });
  if (!a.file) fail('load needs a module file: kmodlab load FILE.c');
  return a;
}

/** Take one kernel option (`--config full`, ...) into `a`; false when `arg` is not one. */
function kernelOption(arg: string, value: () => string, a: KernelArgs): boolean {
  switch (arg) {
    case '--fail-nth': {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) fail('--fail-nth takes a whole number from 1');
      a.failNth = n;
      return true;
    }
    case '--fail-rate': {
      const p = Number(value());
      if (!(p >= 0 && p <= 1)) fail('--fail-rate takes a number from 0 to 1');
      a.failRate = p;
      return true;
    }
    case '--config': {
      const c = value();
      if (!(KERNEL_CONFIG_NAMES as readonly string[]).includes(c)) fail(`--config takes one of ${KERNEL_CONFIG_NAMES.join(', ')}`);
      a.config = c as KernelConfigName;
      return true;
    }
    case '--seed': a.seed = Number(value()) | 0; return true;
    case '--ram': {
      const m = Number(value());
      if (!Number.isInteger(m) || m < 16 || m > 2048) fail('--ram takes MiB from 16 to 2048');
      a.ramMiB = m;
      return true;
    }
    default:
      return false;
  }
}

/** The kernel options of parsed arguments. */
function kernelOptions(a: KernelArgs): KernelOptions {
  return {
    failNth: a.failNth,
    failProbability: a.failRate,
    config: a.config,
    seed: a.seed,
    ramBytes: a.ramMiB ? a.ramMiB << 20 : undefined,
  };
}

/**
 * A module file as the core takes it: its name, its text, and a reader for `#include "..."` that
 * reads only inside the module's own folder. A message when the file cannot be read.
 */
function readModuleFile(file: string): { fileName: string; text: string; readLocal: (name: string) => string | undefined } | string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (e) {
    return `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : String(e)}`;
  }
  return { fileName: path.basename(file), text, readLocal: localReader(path.dirname(path.resolve(file))) };
}

/**
 * Reads `#include "..."` files for a module in `dir`, and only inside `dir`: the core already
 * refuses `..` and absolute names (KM1005); this also refuses a symbolic link that points out.
 */
function localReader(dir: string): (name: string) => string | undefined {
  return (name) => {
    try {
      const real = fs.realpathSync(path.resolve(dir, name));
      if (!real.startsWith(fs.realpathSync(dir) + path.sep)) return undefined;
      return fs.readFileSync(real, 'latin1');
    } catch {
      return undefined;
    }
  };
}

function load(argv: string[]): number {
  const a = parseLoadArgs(argv);
  const source = readModuleFile(a.file);
  if (typeof source === 'string') fail(source);
  const result = runModule({
    ...source,
    params: a.params.join(' '),
    unload: a.unload,
    ...kernelOptions(a),
    recordEvents: a.json,
  });
  if (a.json) {
    process.stdout.write(JSON.stringify(toJson(result), null, 1) + '\n');
  } else {
    printText(result, a.format);
  }
  return exitStatus(result);
}

function exitStatus(r: RunResult): number {
  if (r.buildErrors.length) return 1;
  if (r.insmod && r.insmod.status !== 0) return r.insmod.status;
  if (r.rmmod && r.rmmod.status !== 0) return r.rmmod.status;
  return 0;
}

function printText(r: RunResult, format: 'dmesg' | 'messages'): void {
  for (const d of r.frontEnd.diagnostics) {
    if (d.severity === 'error' || d.severity === 'warning') process.stderr.write(formatDiagnostic(d) + '\n');
  }
  if (r.buildErrors.length) {
    for (const d of r.buildErrors) if (!r.frontEnd.diagnostics.includes(d)) process.stderr.write(formatDiagnostic(d) + '\n');
    process.stderr.write(`kmodlab: ${r.frontEnd.file.name}: the module did not build; nothing was loaded\n`);
    return;
  }
  const log = r.booted!.log(format);
  for (const line of log) process.stdout.write(line + '\n');
  for (const line of r.insmod?.stderr ?? []) process.stderr.write(line + '\n');
  for (const line of r.rmmod?.stderr ?? []) process.stderr.write(line + '\n');
}

function toJson(r: RunResult): unknown {
  const pos = (s: import('./core/index').Span | undefined) => {
    if (!s) return undefined;
    const a = s.file.position(s.start);
    const b = s.file.position(s.end);
    return { file: s.file.name, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  };
  return {
    module: r.frontEnd.moduleName,
    diagnostics: r.frontEnd.diagnostics.map((d) => ({ ...pos(d.span), severity: d.severity, code: d.code, message: d.message })),
    built: r.buildErrors.length === 0,
    dmesg: r.booted?.log('dmesg') ?? [],
    insmod: r.insmod,
    rmmod: r.rmmod,
    findings: (r.booted?.kernel.findings ?? []).map((f) => ({
      rule: f.rule,
      message: f.message,
      ...pos(f.span),
      related: f.related.map((x) => ({ ...pos(x.span), message: x.message })),
      report: f.report,
    })),
    snapshot: r.booted?.snapshot(),
    events: r.booted
      ? {
          dropped: r.booted.kernel.events.dropped,
          notice: r.booted.kernel.events.notice(),
          list: r.booted.kernel.events.all().map((e) => {
            const { span, ...rest } = e as typeof e & { span?: import('./core/index').Span };
            const plain: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(rest)) plain[k] = typeof v === 'bigint' ? v.toString() : v;
            if (typeof plain.addr === 'number' || typeof plain.addr === 'string') plain.addr = hexAddr(plain.addr as number | string);
            return { ...plain, ...(span ? { file: span.file.name, line: span.file.position(span.start).line } : {}) };
          }),
        }
      : undefined,
  };
}

/** A 64-bit address as the kernel prints it with %px. */
function hexAddr(v: number | string): string {
  const b = BigInt.asUintN(64, BigInt(v));
  return b.toString(16).padStart(16, '0');
}

function main(argv: string[]): number | Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version') {
    process.stdout.write('kmodlab 0.1.0\n');
    return 0;
  }
  if (cmd === 'load') return load(rest);
  if (cmd === 'check') return check(rest);
  if (cmd === 'shell') return shell(rest);
  if (cmd === 'run') return run(rest);
  process.stderr.write(`kmodlab: unknown command '${cmd}'\n\n${USAGE}`);
  return 2;
}

// ---- kmodlab check ------------------------------------------------------------------------

interface CheckArgs {
  files: string[];
  format: 'text' | 'json' | 'sarif';
}

function parseCheckArgs(argv: string[]): CheckArgs {
  const a: CheckArgs = { files: [], format: 'text' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--format' || arg.startsWith('--format=')) {
      const f = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (f !== 'text' && f !== 'json' && f !== 'sarif') fail('--format takes text, json or sarif');
      a.format = f;
    } else if (arg.startsWith('-')) fail(`unknown option ${arg} for check (see kmodlab --help)`);
    else a.files.push(arg);
  }
  if (a.files.length === 0) fail('check needs at least one module file: kmodlab check FILE.c');
  return a;
}

/**
 * `kmodlab check`: the static analyzer over each file. Text output is gcc's
 * `file:line:col: warning: message [rule]` (what problem matchers and CI logs read), with related
 * information as `note:` lines; json is one array of findings; sarif is SARIF 2.1.0. Exits 1 when
 * there is a finding (a warning; the GFP_ATOMIC hint alone does not count), 2 on usage errors.
 */
function check(argv: string[]): number {
  const a = parseCheckArgs(argv);
  const all: Diagnostic[] = [];
  const pathOf = new Map<SourceFile, string>();
  const nameOf = (f: SourceFile): string => pathOf.get(f) ?? f.name;
  const at = (s: Diagnostic['span']): string => {
    const p = s.file.position(s.start);
    return `${nameOf(s.file)}:${p.line}:${p.column}`;
  };
  const gcc = (d: Diagnostic): string => {
    const sev = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'note';
    const lines = [`${at(d.span)}: ${sev}: ${d.message}${d.rule ? ` [${d.rule}]` : ''}`];
    for (const r of d.related) lines.push(`${at(r.span)}: note: ${r.message}`);
    return `${lines.join('\n')}\n`;
  };
  let unreadable = false;
  for (const file of a.files) {
    const source = readModuleFile(file);
    if (typeof source === 'string') {
      process.stderr.write(`kmodlab: ${source}\n`);
      unreadable = true;
      continue;
    }
    const fe = frontEnd(source, kernelHeaders());
    pathOf.set(fe.file, file);
    if (a.format === 'text') {
      // The front end's errors explain missing findings; they go to stderr, findings to stdout.
      for (const d of fe.diagnostics) if (d.severity === 'error') process.stderr.write(gcc(d));
    }
    const debug = process.env.KMODLAB_DEBUG ? (m: string) => process.stderr.write(`kmodlab: ${m}\n`) : undefined;
    all.push(...analyze(fe, { debug }));
  }
  if (a.format === 'json') {
    process.stdout.write(`${JSON.stringify(toJsonFindings(all, nameOf), null, 1)}\n`);
  } else if (a.format === 'sarif') {
    process.stdout.write(`${JSON.stringify(toSarif(all, { toolVersion: '0.1.0', uriOf: nameOf }), null, 1)}\n`);
  } else {
    for (const d of all) process.stdout.write(gcc(d));
  }
  if (unreadable) return 2;
  return all.some((d) => d.severity === 'warning' || d.severity === 'error') ? 1 : 0;
}

// ---- kmodlab shell, kmodlab run -------------------------------------------------------------

interface ShellArgs extends KernelArgs {
  /** Module files (`--module` or bare arguments). */
  modules: string[];
  /** The script of `run`. */
  script?: string;
}

function parseShellArgs(argv: string[], command: 'shell' | 'run'): ShellArgs {
  const a: ShellArgs = { modules: [], config: 'full', seed: 0 };
  eachArg(argv, (arg, value) => {
    if (arg === '--module') a.modules.push(value());
    else if (kernelOption(arg, value, a)) return;
    else if (arg.startsWith('-')) fail(`unknown option ${arg} for ${command} (see kmodlab --help)`);
    else if (command === 'run' && a.script === undefined) a.script = arg;
    else a.modules.push(arg);
  });
  if (command === 'run' && a.script === undefined) fail('run needs a script: kmodlab run SCRIPT [--module FILE.c]');
  return a;
}

function readModules(files: readonly string[]): ShellModule[] {
  return files.map((f) => {
    const source = readModuleFile(f);
    if (typeof source === 'string') fail(source);
    return { fileName: source.fileName, text: source.text, readLocal: source.readLocal };
  });
}

/** `kmodlab shell`: a prompt on stdin/stdout until `exit` or end of input; exits with `$?`. */
function shell(argv: string[]): Promise<number> {
  const a = parseShellArgs(argv, 'shell');
  const sh = bootShell(readModules(a.modules), kernelOptions(a));
  sh.terminalColumns = process.stdout.isTTY ? process.stdout.columns : undefined;
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY === true, prompt: sh.prompt() });
  let exited = false;
  return new Promise((resolve) => {
    rl.on('line', (line) => {
      // Lines already read from a pipe still arrive after `exit`; the shell is gone.
      if (exited) return;
      const r = sh.run(line);
      process.stdout.write(r.output);
      if (r.exit) {
        exited = true;
        return rl.close();
      }
      rl.setPrompt(sh.prompt());
      rl.prompt();
    });
    // Ctrl-C drops the line being typed, as bash does.
    rl.on('SIGINT', () => {
      process.stdout.write('^C\n');
      rl.prompt();
    });
    rl.on('close', () => resolve(sh.status));
    rl.prompt();
  });
}

/** `kmodlab run`: each line echoed as `# line`, then its output; exits with the last status. */
function run(argv: string[]): number {
  const a = parseShellArgs(argv, 'run');
  const script = a.script as string;
  let text: string;
  try {
    text = fs.readFileSync(script, 'utf8');
  } catch {
    fail(`cannot read ${script}: No such file or directory`);
  }
  const sibling = script.replace(/\.[^./]*$/, '') + '.c';
  const files = a.modules.length ? a.modules : fs.existsSync(sibling) ? [sibling] : [];
  const r = runScript(bootShell(readModules(files), kernelOptions(a)), text);
  process.stdout.write(r.transcript);
  return r.status;
}

// A reader that goes away early (`kmodlab load x.c | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const status = main(process.argv.slice(2));
if (typeof status === 'number') process.exitCode = status;
else void status.then((code) => (process.exitCode = code));


// kmod's module tools as the shell runs them: insmod, rmmod, lsmod and modinfo, with kmod 30's
// output and error wording (tools/insmod.c, tools/rmmod.c, tools/lsmod.c, tools/modinfo.c), checked
// against the oracle's Debian guest. insmod of `X.ko` builds the module from its C source first;
// build errors print as gcc prints them, and the .ko is then refused as an invalid module.

import { formatDiagnostic } from '../../diag/render';
import { insmod, rmmod } from '../../kernel/insmod';
import { readModInfo, readParams } from '../../kernel/module';
import { srcversion } from '../../kernel/sysmodule';
import { RMMOD_MESSAGES, insmodErrorLine } from '../../kernel/errno';
import { moduleSize, modulesNewestFirst } from '../../kernel/procfiles';
import { DEBIAN_QEMU } from '../../kernel/report';
import type { Command, CommandContext, ShellModule } from '../shell';
import { HOME, moduleNameFromArg } from '../shell';

/** vermagic of a module built against Debian's 6.1.0-56-amd64 headers (note the trailing space). */
const VERMAGIC = `${DEBIAN_QEMU.release} SMP preempt mod_unload modversions `;

export const insmodCommand: Command = (c) => {
  const [file, ...params] = c.args;
  if (file === undefined) {
    c.err('insmod: ERROR: missing filename.\n');
    return 1;
  }
  const module = c.sh.moduleAt(file);
  if (!module) {
    c.err(`insmod: ERROR: could not load module ${file}: No such file or directory\n`);
    return 1;
  }
  const fe = c.sh.build(module);
  const errors = fe.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    for (const d of errors) c.err(`${formatDiagnostic(d)}\n`);
    c.err(`${insmodErrorLine(file, 8)}\n`);
    return 1;
  }
  const k = c.sh.machine.kernel;
  const unsupportedBefore = k.unsupported.length;
  // kmod joins the arguments with spaces; the kernel's parse_args() then honours "double quotes".
  const r = insmod(k, fe, params.join(' '));
  for (const d of k.unsupported.slice(unsupportedBefore)) c.err(`${formatDiagnostic(d)}\n`);
  // The core names the .ko by the module; insmod names it as the user typed it.
  for (const line of r.stderr) c.err(`${line.replace(`module ${fe.moduleName}.ko:`, `module ${file}:`)}\n`);
  return r.status;
};

export const rmmodCommand: Command = (c) => {
  const names = c.args.filter((a) => !a.startsWith('-'));
  if (names.length === 0) {
    c.err('rmmod: ERROR: missing module name.\n');
    return 1;
  }
  let status = 0;
  for (const arg of names) {
    const name = moduleNameFromArg(arg.replace(/^.*\//, ''));
    // kmod reads /sys/module/NAME/refcnt first and refuses a module in use without asking the kernel.
    if ((c.sh.machine.kernel.modules.get(name)?.refcount ?? 0) > 0) {
      c.err(`${RMMOD_MESSAGES.inUse(name)}\n`);
      status = 1;
      continue;
    }
    const r = rmmod(c.sh.machine.kernel, name);
    for (const line of r.stderr) c.err(`${line}\n`);
    if (r.status !== 0) status = r.status;
  }
  return status;
};

/** `Module                  Size  Used by` and one `%-19s %8lu  %d` line per module, newest first. */
export const lsmodCommand: Command = (c) => {
  c.out('Module                  Size  Used by\n');
  for (const m of modulesNewestFirst(c.sh.machine.kernel)) c.out(`${m.name.padEnd(19)} ${String(moduleSize(m)).padStart(8)}  ${m.refcount}\n`);
  return 0;
};

/** modinfo [-F field] FILE|NAME: the .modinfo tags, then depends/retpoline/name/vermagic, then parm lines. */
export const modinfoCommand: Command = (c) => {
  let field: string | undefined;
  const targets: string[] = [];
  for (let i = 0; i < c.args.length; i++) {
    const a = c.args[i];
    if (a === '-F' || a === '--field') field = c.args[++i];
    else if (a.startsWith('--field=')) field = a.slice('--field='.length);
    else targets.push(a);
  }
  if (targets.length === 0) {
    c.err('modinfo: ERROR: missing module or filename.\n');
    return 1;
  }
  let status = 0;
  for (const t of targets) if (!modinfoOne(c, t, field)) status = 1;
  return status;
};

function modinfoOne(c: CommandContext, target: string, field: string | undefined): boolean {
  const found = findModule(c, target);
  if (!found) {
    c.err(`modinfo: ERROR: Module ${target} not found.\n`);
    return false;
  }
  const fe = c.sh.build(found.module);
  const info = readModInfo(fe.unit);
  const rows: [string, string][] = [['filename', found.path]];
  // gcc emits a file's .modinfo strings in reverse order of declaration, and kmod prints them so.
  for (const [tag, value] of [...info.all].reverse()) if (tag !== 'parm' && tag !== 'parmtype') rows.push([tag, value]);
  // modpost adds a checksum of the sources to modules that declare MODULE_VERSION.
  if (info.version !== undefined) rows.push(['srcversion', srcversion(found.module.text)]);
  rows.push(['depends', ''], ['retpoline', 'Y'], ['name', fe.moduleName], ['vermagic', VERMAGIC]);
  for (const p of paramLines(fe.unit, info.all, field === 'parm')) rows.push(['parm', p]);
  for (const [tag, value] of rows) {
    if (field === undefined) c.out(`${`${tag}:`.padEnd(16)}${value}\n`);
    else if (field === tag) c.out(`${value}\n`);
  }
  return true;
}

/**
 * The module a modinfo argument means: a path to one of the .ko files, or a module name, which
 * resolves as if the module were installed where its .ko is (root's home).
 */
function findModule(c: CommandContext, target: string): { module: ShellModule; path: string } | undefined {
  const module = c.sh.moduleAt(target);
  if (module) {
    const node = c.sh.vfs.lookup(target, { cwd: c.sh.cwd });
    return { module, path: typeof node === 'number' ? target : c.sh.vfs.pathOf(node) };
  }
  for (const [ko, m] of c.sh.moduleFiles()) {
    if (moduleNameFromArg(ko) === moduleNameFromArg(target)) return { module: m, path: `${HOME}/${ko}` };
  }
  return undefined;
}

/**
 * `name:description (type)`, or without a MODULE_PARM_DESC `name:type` (`name: (type)` under
 * `-F parm`, as kmod 30 prints them), in declaration order.
 */
function paramLines(unit: Parameters<typeof readParams>[0], tags: readonly [string, string][], fieldOnly: boolean): string[] {
  const descs = new Map<string, string>();
  for (const [tag, value] of tags) {
    if (tag !== 'parm') continue;
    const colon = value.indexOf(':');
    if (colon > 0) descs.set(value.slice(0, colon), value.slice(colon + 1));
  }
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of readParams(unit)) {
    seen.add(p.name);
    const type = p.type.startsWith('array:') ? `array of ${p.type.slice('array:'.length)}` : p.type;
    const desc = descs.get(p.name);
    out.push(desc === undefined ? (fieldOnly ? `${p.name}: (${type})` : `${p.name}:${type}`) : `${p.name}:${desc} (${type})`);
  }
  // A description for a parameter that module_param() never declared still prints.
  for (const [name, desc] of descs) if (!seen.has(name)) out.push(`${name}:${desc}`);
  return out;
}


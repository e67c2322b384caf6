// System commands: util-linux 2.38's dmesg (-c, -C, -w, -l/--level, -t, -r, -x, -T), procps-ng
// 4.0's free, coreutils' sleep (which advances the virtual clock, so timers, work and kthreads
// that fall due meanwhile run), uname, true/false and the shell's help.

import { LOG_LEVEL_NAMES } from '../../kernel/printk';
import type { DmesgOptions } from '../../kernel/printk';
import { formatTimestamp } from '../../kernel/printk';
import { DEBIAN_QEMU } from '../../kernel/report';
import type { Command, CommandContext } from '../shell';
import { HOSTNAME } from '../shell';

// ---- dmesg -------------------------------------------------------------------------------------------

type DmesgMode = { clear: boolean; print: boolean; follow: boolean; decode: boolean; ctime: boolean; opts: DmesgOptions };

export const dmesgCommand: Command = (c) => {
  const mode = parseDmesg(c);
  if (typeof mode === 'number') return mode;
  const { printk } = c.sh.machine;
  if (mode.print) c.out(dmesgText(c, mode, 0));
  if (mode.clear) printk.clear();
  // Follow from here: an interactive terminal prints what arrives later with the same options.
  if (mode.follow) c.follow((fromSeq) => dmesgText(c, mode, fromSeq), printk.seq);
  return 0;
};

/** The visible records from `fromSeq` on, formatted as the options ask. */
function dmesgText(c: CommandContext, mode: DmesgMode, fromSeq: number): string {
  const { printk, clock } = c.sh.machine;
  const levels = mode.opts.levels ? new Set(mode.opts.levels) : undefined;
  let text = '';
  for (const r of printk.visible(fromSeq)) {
    if (levels && !levels.has(r.level)) continue;
    let prefix = mode.decode ? `${'kern'.padEnd(6)}:${LOG_LEVEL_NAMES[r.level].padEnd(6)}: ` : '';
    if (mode.opts.raw) prefix = `<${(r.facility << 3) | r.level}>` + prefix;
    if (mode.ctime) prefix += `[${ctime(clock.wallClockMs(r.tsNanos))}] `;
    else if (!mode.opts.noTime) prefix += `${formatTimestamp(r.tsNanos)} `;
    for (const line of r.text.split('\n')) text += `${prefix}${line}\n`;
  }
  return text;
}

function parseDmesg(c: CommandContext): DmesgMode | number {
  const m = { clear: false, print: true, follow: false, decode: false, ctime: false };
  let levels: number[] | undefined;
  let raw = false;
  let noTime = false;
  const usage = (msg: string): number => {
    c.err(`dmesg: ${msg}\nTry 'dmesg --help' for more information.\n`);
    return 1;
  };
  const takeLevels = (list: string | undefined): number | undefined => {
    if (list === undefined) return usage("option requires an argument -- 'l'");
    levels = [];
    for (const name of list.split(',')) {
      const i = /^\d+$/.test(name) ? Number(name) : (LOG_LEVEL_NAMES as readonly string[]).indexOf(name);
      if (i < 0 || i > 7) {
        c.err(`dmesg: unknown level '${name}'\n`);
        return 1;
      }
      levels.push(i);
    }
    return undefined;
  };
  const longs: Record<string, () => void> = {
    '--read-clear': () => (m.clear = true),
    '--clear': () => ((m.clear = true), (m.print = false)),
    '--follow': () => (m.follow = true),
    '--follow-new': () => ((m.follow = true), (m.print = false)),
    '--notime': () => (noTime = true),
    '--raw': () => (raw = true),
    '--decode': () => (m.decode = true),
    '--ctime': () => (m.ctime = true),
    '--kernel': () => undefined,
  };
  const shorts: Record<string, string> = { c: '--read-clear', C: '--clear', w: '--follow', W: '--follow-new', t: '--notime', r: '--raw', x: '--decode', T: '--ctime', k: '--kernel' };
  for (let i = 0; i < c.args.length; i++) {
    const a = c.args[i];
    if (a === '--level' || a.startsWith('--level=')) {
      const err = takeLevels(a === '--level' ? c.args[++i] : a.slice(8));
      if (err !== undefined) return err;
    } else if (a.startsWith('--')) {
      const f = longs[a];
      if (!f) return usage(`unrecognized option '${a}'`);
      f();
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if (f === 'l' || f === 'n') {
          const value = j + 1 < a.length ? a.slice(j + 1) : c.args[++i];
          // -n LEVEL sets the console log level: nothing prints on this machine's console.
          if (f === 'l') {
            const err = takeLevels(value);
            if (err !== undefined) return err;
          } else m.print = false;
          break;
        }
        if (!shorts[f]) return usage(`invalid option -- '${f}'`);
        longs[shorts[f]]();
      }
    } else return usage(`bad usage`);
  }
  return { ...m, opts: { levels, raw, noTime } };
}

/** ctime(3) without the newline: `Tue Jul 30 00:16:12 2024` (UTC). */
function ctime(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

// ---- free --------------------------------------------------------------------------------------------

/** procps-ng 4's free: used is total - available; buff/cache counts reclaimable slab. */
export const freeCommand: Command = (c) => {
  let unit: (kb: number) => string = (kb) => String(kb);
  for (const a of c.args) {
    if (a === '-k' || a === '--kibi') unit = (kb) => String(kb);
    else if (a === '-b' || a === '--bytes') unit = (kb) => String(kb * 1024);
    else if (a === '-m' || a === '--mebi') unit = (kb) => String(Math.floor(kb / 1024));
    else if (a === '-g' || a === '--gibi') unit = (kb) => String(Math.floor(kb / 1024 / 1024));
    else if (a === '-h' || a === '--human') unit = human;
    else {
      c.err(`free: invalid option -- '${a.replace(/^-+/, '').slice(0, 1)}'\n\nUsage:\n free [options]\n`);
      return 1;
    }
  }
  const m = c.sh.machine.mm.memCounts();
  const cache = m.sreclaimableKb;
  const row = (label: string, values: number[]): string => `${label.padEnd(8)}${values.map((v) => unit(v).padStart(12)).join('')}\n`;
  c.out(`${''.padEnd(8)}${['total', 'used', 'free', 'shared', 'buff/cache', 'available'].map((h) => h.padStart(12)).join('')}\n`);
  c.out(row('Mem:', [m.totalKb, m.totalKb - m.availableKb, m.freeKb, 0, cache, m.availableKb]));
  c.out(row('Swap:', [0, 0, 0]));
  return 0;
};

/** free -h: `125Mi`, `4.0Mi`, `0B` (procps' scale_size with binary units). */
function human(kb: number): string {
  let v = kb * 1024;
  if (v < 1024) return `${v}B`;
  for (const u of ['Ki', 'Mi', 'Gi', 'Ti', 'Pi']) {
    v /= 1024;
    if (v < 10) return `${v.toFixed(1)}${u}`;
    if (v < 1024) return `${Math.floor(v)}${u}`;
  }
  return `${Math.floor(v)}Ei`;
}

// ---- sleep, uname, true, false, help -----------------------------------------------------------------

/** sleep NUMBER[smhd]...: the sum of the arguments, in virtual time. */
export const sleepCommand: Command = (c) => {
  if (c.args.length === 0) {
    c.err("sleep: missing operand\nTry 'sleep --help' for more information.\n");
    return 1;
  }
  let seconds = 0;
  for (const a of c.args) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
    if (!m) {
      c.err(`sleep: invalid time interval '${a}'\nTry 'sleep --help' for more information.\n`);
      return 1;
    }
    seconds += Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  }
  // The shell's task sleeps; the CPU is free, so what falls due runs on the way (kernel/deferred.ts).
  c.sh.machine.kernel.slept(Math.round(seconds * 1e9));
  return 0;
};

export const unameCommand: Command = (c) => {
  const fields: Record<string, string> = { s: 'Linux', n: HOSTNAME, r: DEBIAN_QEMU.release, v: DEBIAN_QEMU.version, m: 'x86_64', o: 'GNU/Linux' };
  const flags = c.args.join('').replace(/-/g, '');
  const wanted = flags === '' ? 's' : flags.includes('a') ? 'snrvmo' : flags;
  for (const f of wanted) {
    if (!fields[f]) {
      c.err(`uname: invalid option -- '${f}'\nTry 'uname --help' for more information.\n`);
      return 1;
    }
  }
  c.out(`${[...'snrvmo'].filter((f) => wanted.includes(f)).map((f) => fields[f]).join(' ')}\n`);
  return 0;
};

export const trueCommand: Command = () => 0;
export const falseCommand: Command = () => 1;

export const helpCommand: Command = (c) => {
  c.out(HELP);
  return 0;
};

const HELP = `Kernel Module Lab shell: a root shell on the emulated Linux 6.1 machine.
The modules you have open are .ko files in /root (ls ~).

  insmod FILE.ko [param=value ...]   load a module (built from its C source)
  rmmod NAME                         unload it
  lsmod, modinfo FILE.ko|NAME        loaded modules; a module's .modinfo
  dmesg [-c] [-C] [-w] [-t] [-x] [--level=LIST]
                                     the kernel log (-c clears after printing)
  cat, head [-n N], tail [-n N], tee, grep PATTERN, echo TEXT > FILE
                                     read and write files: /proc, /dev, /sys, /tmp
  ls [-l] [-a] [PATH...], cd, pwd, mknod NAME c MAJOR MINOR
  free [-h|-m], sleep SECONDS, uname [-a]
  /proc/meminfo, /proc/slabinfo, /proc/vmallocinfo, /proc/buddyinfo and
  /proc/modules are computed from the machine's memory; /sys/module/NAME/parameters
  holds a loaded module's parameters.

Lines may use quotes, ;, &&, ||, |, > and >> redirection, * and ?, $? and # comments.
You are root: sudo just runs the command. Virtual time moves only when the
machine works or you sleep.
`;

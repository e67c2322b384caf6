// The kernel log: printk's ring buffer of records and the ways user space reads it (dmesg, dmesg
// --level, dmesg -c, the console, /var/log/messages as rsyslog writes it). It follows Linux 6.1's
// kernel/printk/printk.c: the KERN_SOH level prefixes are parsed from the formatted text and
// stripped, a trailing newline is removed and marks the record final, a message without one can be
// continued by the next KERN_CONT write from the same caller, a message with embedded newlines stays
// ONE record whose lines all print with its timestamp, messages are cut at LOG_LINE_MAX (992 bytes),
// and the oldest records fall out of the 128 KiB buffer (CONFIG_LOG_BUF_SHIFT=17).
//
// pr_debug() is a header matter: without DEBUG it expands to a dynamic-debug call site that is off
// (CONFIG_DYNAMIC_DEBUG=y), so nothing reaches printk; with DEBUG it is printk(KERN_DEBUG ...).
//
// Invariants: a record's timestamp is the clock's time when the record was created (continuations
// do not move it); sequence numbers increase by one per record and are never reused; nothing here
// throws on any text; there is no module-level mutable state (each Kernel owns one Printk).

import type { Span } from '../source/source';
import { DEFAULT_BOOT_WALL_MS, splitNanos } from './clock';

/** ASCII Start Of Header: the first byte of every KERN_* prefix. */
export const KERN_SOH = '\x01';
export const KERN_EMERG = `${KERN_SOH}0`;
export const KERN_ALERT = `${KERN_SOH}1`;
export const KERN_CRIT = `${KERN_SOH}2`;
export const KERN_ERR = `${KERN_SOH}3`;
export const KERN_WARNING = `${KERN_SOH}4`;
export const KERN_NOTICE = `${KERN_SOH}5`;
export const KERN_INFO = `${KERN_SOH}6`;
export const KERN_DEBUG = `${KERN_SOH}7`;
/** KERN_DEFAULT is the empty string in 6.1 (include/linux/kern_levels.h). */
export const KERN_DEFAULT = '';
export const KERN_CONT = `${KERN_SOH}c`;

/** Log levels by name, as `dmesg --level` spells them. */
export const LOG_LEVEL_NAMES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

/** LOGLEVEL_DEFAULT: "no level given"; resolved to the default message loglevel when stored. */
export const LOGLEVEL_DEFAULT = -1;
/** CONFIG_MESSAGE_LOGLEVEL_DEFAULT of Debian's kernel. */
export const DEFAULT_MESSAGE_LOGLEVEL = 4;
/** CONFIG_CONSOLE_LOGLEVEL_DEFAULT of Debian's kernel. */
export const DEFAULT_CONSOLE_LOGLEVEL = 7;
/** Longest record text: CONSOLE_LOG_MAX (1024) - PREFIX_MAX (32, no CONFIG_PRINTK_CALLER). */
export const LOG_LINE_MAX = 992;
/** CONFIG_LOG_BUF_SHIFT=17: a 128 KiB data ring. */
export const LOG_BUF_SHIFT = 17;

/** One record of the ring buffer, as `dmesg` and the UI see it. */
export interface LogRecord {
  /** Sequence number, from 0, one per record. */
  readonly seq: number;
  /** local_clock() when the record was created, ns since boot. */
  readonly tsNanos: number;
  /** 0 (emerg) .. 7 (debug). */
  readonly level: number;
  /** 0 for the kernel, 1 (user) for /dev/kmsg writes. */
  readonly facility: number;
  /** The message without its trailing newline; may contain `\n` (one record, several lines). */
  readonly text: string;
  /** Who wrote it (printk_caller_id(): the task's pid, or a CPU in interrupt context). */
  readonly caller: number | string;
  /** Where in the student's source the printk call was, for the first write of the record. */
  readonly span?: Span;
  /** True once the record ended with a newline (or a later record closed it). */
  readonly final: boolean;
  /** True if it was written with KERN_CONT but could not be appended to the previous record. */
  readonly cont: boolean;
}

interface MutableRecord {
  seq: number;
  tsNanos: number;
  level: number;
  facility: number;
  text: string;
  caller: number | string;
  span?: Span;
  final: boolean;
  cont: boolean;
}

/** What listeners hear: a new record, text appended to the last record, or a clear. */
export type PrintkEvent =
  | { readonly kind: 'record'; readonly record: LogRecord }
  | { readonly kind: 'append'; readonly record: LogRecord; readonly appended: string }
  | { readonly kind: 'clear'; readonly beforeSeq: number };

export interface PrintkOptions {
  /** The time source (a Clock, or anything with nanos()). */
  readonly clock: { nanos(): number };
  /** printk_caller_id() of the current context; default 93 (insmod's pid in the oracle). */
  readonly caller?: () => number | string;
  readonly defaultMessageLoglevel?: number;
  readonly consoleLoglevel?: number;
  /** Ring buffer size in bytes (2^LOG_BUF_SHIFT). */
  readonly bufferBytes?: number;
}

/** Options of one printk call. */
export interface PrintkCall {
  readonly span?: Span;
  /** Overrides the caller id (e.g. an interrupt handler's CPU). */
  readonly caller?: number | string;
  /** 0 for the kernel (prefixes parsed and stripped), 1 for /dev/kmsg (user). */
  readonly facility?: number;
}

/** printk_get_level(): the level or 'c' of a KERN_SOH prefix at `i`, or '' if there is none. */
function prefixAt(text: string, i: number): string {
  if (text[i] !== KERN_SOH || i + 1 >= text.length) return '';
  const c = text[i + 1];
  return (c >= '0' && c <= '7') || c === 'c' ? c : '';
}

/**
 * printk_parse_prefix(): every leading KERN_SOH pair. The first level wins; `c` marks KERN_CONT.
 * Returns the number of prefix characters.
 */
export function parsePrefix(text: string): { level: number; cont: boolean; length: number } {
  let level = LOGLEVEL_DEFAULT;
  let cont = false;
  let i = 0;
  for (;;) {
    const c = prefixAt(text, i);
    if (!c) break;
    if (c === 'c') cont = true;
    else if (level === LOGLEVEL_DEFAULT) level = c.charCodeAt(0) - 48;
    i += 2;
  }
  return { level, cont, length: i };
}

/** `[    2.330372]`: print_time()'s "[%5lu.%06lu]". */
export function formatTimestamp(ns: number): string {
  const { secs, usecs } = splitNanos(ns);
  return `[${String(secs).padStart(5, ' ')}.${String(usecs).padStart(6, '0')}]`;
}

/** A level filter: numbers 0..7 or names (`err`, `warn`, ...). Unknown names are ignored. */
export function levelSet(levels: Iterable<number | string>): Set<number> {
  const out = new Set<number>();
  for (const l of levels) {
    if (typeof l === 'number') {
      if (l >= 0 && l <= 7) out.add(Math.trunc(l));
    } else {
      const i = (LOG_LEVEL_NAMES as readonly string[]).indexOf(l.trim().toLowerCase());
      if (i >= 0) out.add(i);
    }
  }
  return out;
}

export interface DmesgOptions {
  /** `dmesg --level`: only these levels. */
  readonly levels?: Iterable<number | string>;
  /** `dmesg -r`: keep the `<N>` syslog prefix (facility << 3 | level). */
  readonly raw?: boolean;
  /** `dmesg -t`: no timestamps. */
  readonly noTime?: boolean;
  /** Only records with seq >= this. */
  readonly fromSeq?: number;
}

export interface MessagesOptions {
  /** The host name rsyslog writes (default `kmodlab`). */
  readonly hostname?: string;
  /** Wall-clock ms since the epoch (UTC) of boot; default the Clock's DEFAULT_BOOT_WALL_MS. */
  readonly bootWallMs?: number;
  /**
   * Levels written to /var/log/messages. Debian's rsyslog.conf sends `*.=info;*.=notice;*.=warn`
   * there, so by default errors, alerts and debug lines go only to kern.log/syslog.
   */
  readonly levels?: Iterable<number | string>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3164 timestamp as rsyslog's traditional format writes it: `Jul 30 00:16:12`, `Jul  3 ...`. */
export function syslogTime(ms: number): string {
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

export class Printk {
  private readonly records: MutableRecord[] = [];
  private readonly listeners: ((e: PrintkEvent) => void)[] = [];
  private nextSeq = 0;
  /** Records before this seq were cleared by `dmesg -c`/`-C` (they stay for the console history). */
  private clearSeq = 0;
  private dataBytes = 0;
  private readonly clock: { nanos(): number };
  private readonly callerOf: () => number | string;
  readonly defaultMessageLoglevel: number;
  /** Messages with a level below this reach the console. */
  consoleLoglevel: number;
  private readonly bufferBytes: number;
  /** Records dropped because the ring buffer was full. */
  dropped = 0;

  constructor(options: PrintkOptions) {
    this.clock = options.clock;
    this.callerOf = options.caller ?? ((): number => 93);
    this.defaultMessageLoglevel = clampLevel(options.defaultMessageLoglevel ?? DEFAULT_MESSAGE_LOGLEVEL);
    this.consoleLoglevel = options.consoleLoglevel ?? DEFAULT_CONSOLE_LOGLEVEL;
    this.bufferBytes = Math.max(4096, options.bufferBytes ?? 2 ** LOG_BUF_SHIFT);
  }

  // ---- writing -----------------------------------------------------------------------------------

  /**
   * _printk()/vprintk_store() for already formatted text: parses and strips the KERN_* prefix,
   * continues the previous record for KERN_CONT, returns the number of characters stored (without
   * the prefix and the trailing newline), as printk() returns.
   */
  printk(text: string, call: PrintkCall | Span = {}): number {
    const c: PrintkCall = isSpan(call) ? { span: call } : call;
    const facility = c.facility ?? 0;
    // The level and KERN_CONT come from the first 7 formatted bytes (vprintk_store's prefix_buf).
    const head = facility === 0 ? parsePrefix(text.slice(0, 7)) : { level: LOGLEVEL_DEFAULT, cont: false, length: 0 };
    let level = head.level;
    if (level === LOGLEVEL_DEFAULT) level = this.defaultMessageLoglevel;
    // printk_sprint(): at most LOG_LINE_MAX - 1 characters, then the newline and the prefixes go.
    let body = text.length > LOG_LINE_MAX - 1 ? text.slice(0, LOG_LINE_MAX - 1) : text;
    const reserve = Math.min(text.length + 1, LOG_LINE_MAX);
    let newline = false;
    if (body.endsWith('\n')) {
      body = body.slice(0, -1);
      newline = true;
    }
    if (facility === 0) body = body.slice(parsePrefix(body).length);
    const caller = c.caller ?? this.callerOf();
    if (head.cont) {
      const last = this.records[this.records.length - 1];
      if (last && !last.final && last.caller === caller && last.text.length + reserve <= LOG_LINE_MAX) {
        this.dataBytes += recordBytes(last.text + body) - recordBytes(last.text);
        last.text += body;
        if (newline) last.final = true;
        this.trim();
        this.emit({ kind: 'append', record: last, appended: body });
        return body.length;
      }
    }
    this.store({ level, facility, text: body, caller, span: c.span, final: newline, cont: head.cont });
    return body.length;
  }

  /** A complete message at a level (the kernel's own pr_warn/pr_err lines). `text` has no newline. */
  log(level: number, text: string, span?: Span): void {
    this.store({ level: clampLevel(level), facility: 0, text, caller: this.callerOf(), span, final: true, cont: false });
  }

  /** pr_cont(): append to the last record if it is still open, else start a record. */
  cont(text: string, span?: Span): number {
    return this.printk(KERN_CONT + text, { span });
  }

  private store(r: Omit<MutableRecord, 'seq' | 'tsNanos'>): void {
    const last = this.records[this.records.length - 1];
    // Reserving a new record finalizes the previous one: it can no longer be continued.
    if (last) last.final = true;
    const rec: MutableRecord = { seq: this.nextSeq++, tsNanos: this.clock.nanos(), ...r };
    this.records.push(rec);
    this.dataBytes += recordBytes(rec.text);
    this.trim();
    this.emit({ kind: 'record', record: rec });
  }

  /** Drop the oldest records past the data ring's size or its 2^(shift-5) descriptors. */
  private trim(): void {
    const maxDescs = Math.max(16, Math.floor(this.bufferBytes / 32));
    while (this.records.length > 1 && (this.dataBytes > this.bufferBytes || this.records.length > maxDescs)) {
      const old = this.records.shift() as MutableRecord;
      this.dataBytes -= recordBytes(old.text);
      this.dropped++;
    }
  }

  // ---- listening ---------------------------------------------------------------------------------

  /** Hear every new record, append and clear; returns the unsubscribe function. */
  subscribe(fn: (e: PrintkEvent) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private emit(e: PrintkEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A broken listener (UI code) must not break the kernel's log.
      }
    }
  }

  // ---- reading -----------------------------------------------------------------------------------

  /** All records still in the buffer, including ones `dmesg -c` cleared. */
  all(): readonly LogRecord[] {
    return this.records;
  }

  /** Records `dmesg` would show now (not cleared, in order). */
  visible(fromSeq = 0): readonly LogRecord[] {
    const from = Math.max(fromSeq, this.clearSeq);
    return this.records.filter((r) => r.seq >= from);
  }

  /** The sequence number the next record will get. */
  get seq(): number {
    return this.nextSeq;
  }

  /**
   * `dmesg` output lines: each line of each record prefixed by its timestamp,
   * `[    2.330372] text` (record_print_text() puts the prefix on every line of a record).
   */
  dmesg(options: DmesgOptions = {}): string[] {
    const filter = options.levels ? levelSet(options.levels) : undefined;
    const out: string[] = [];
    for (const r of this.visible(options.fromSeq ?? 0)) {
      if (filter && !filter.has(r.level)) continue;
      let prefix = '';
      if (options.raw) prefix += `<${(r.facility << 3) | r.level}>`;
      if (!options.noTime) prefix += `${formatTimestamp(r.tsNanos)} `;
      for (const line of r.text.split('\n')) out.push(prefix + line);
    }
    return out;
  }

  /** `dmesg` as one text, newline-terminated (empty string when there is nothing). */
  dmesgText(options: DmesgOptions = {}): string {
    const lines = this.dmesg(options);
    return lines.length ? `${lines.join('\n')}\n` : '';
  }

  /** `dmesg -c`: print, then clear. */
  readClear(options: DmesgOptions = {}): string[] {
    const lines = this.dmesg(options);
    this.clear();
    return lines;
  }

  /** `dmesg -C`: later reads start after the current last record. */
  clear(): void {
    this.clearSeq = this.nextSeq;
    this.emit({ kind: 'clear', beforeSeq: this.clearSeq });
  }

  /** What the console (a serial line at the console loglevel) shows: levels below consoleLoglevel. */
  consoleLines(fromSeq = 0): string[] {
    const out: string[] = [];
    for (const r of this.records) {
      if (r.seq < fromSeq || r.level >= this.consoleLoglevel) continue;
      for (const line of r.text.split('\n')) out.push(`${formatTimestamp(r.tsNanos)} ${line}`);
    }
    return out;
  }

  /**
   * /var/log/messages as rsyslog's imklog writes it on Debian:
   * `Jul 30 00:16:12 kmodlab kernel: [44607.251090] text`, one line per line of a record, the wall
   * clock at the record's time, only info/notice/warn levels by default. Trailing blanks of an
   * empty message are dropped (as the tutorial's excerpt shows).
   */
  messages(options: MessagesOptions = {}): string[] {
    const host = options.hostname ?? 'kmodlab';
    const boot = options.bootWallMs ?? DEFAULT_BOOT_WALL_MS;
    const filter = levelSet(options.levels ?? [4, 5, 6]);
    const out: string[] = [];
    for (const r of this.records) {
      if (!filter.has(r.level)) continue;
      const when = syslogTime(boot + Math.floor(r.tsNanos / 1e6));
      for (const line of r.text.split('\n')) out.push(`${when} ${host} kernel: ${formatTimestamp(r.tsNanos)} ${line}`.trimEnd());
    }
    return out;
  }
}

function clampLevel(level: number): number {
  if (!Number.isFinite(level)) return DEFAULT_MESSAGE_LOGLEVEL;
  return Math.min(7, Math.max(0, Math.trunc(level)));
}

/** A data block: the text plus its 8-byte id, 8-byte aligned (printk_ringbuffer.c). */
function recordBytes(text: string): number {
  return (text.length + 8 + 7) & ~7;
}

function isSpan(x: PrintkCall | Span): x is Span {
  return (x as Span).file !== undefined && typeof (x as Span).start === 'number';
}

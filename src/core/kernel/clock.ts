// The emulated machine's virtual clock: nanoseconds since boot (what local_clock() and the dmesg
// timestamps read), jiffies at HZ=250, and a wall clock for /var/log/messages. Time only moves when
// the kernel says so (`advance`), so the same run always prints the same timestamps.
//
// Invariants: `nanos()` is a non-negative integer that never decreases; bad input to `advance`
// (negative, NaN, infinite) is ignored rather than thrown, because it can come from a student's
// msleep(-1). jiffies follow Linux 6.1 on x86_64: HZ = 250 and INITIAL_JIFFIES =
// (unsigned long)(unsigned int)(-300*HZ) = 4294892296 (include/linux/jiffies.h), so the 32-bit
// jiffies wrap five minutes after boot while the 64-bit value keeps counting.

/** CONFIG_HZ of Debian's 6.1 kernel. */
export const HZ = 250;
export const NSEC_PER_SEC = 1_000_000_000;
export const NSEC_PER_MSEC = 1_000_000;
/** Nanoseconds per jiffy (TICK_NSEC at HZ=250). */
export const TICK_NSEC = NSEC_PER_SEC / HZ;
/** jiffies at boot: (unsigned long)(unsigned int)(-300 * HZ). */
export const INITIAL_JIFFIES = 2 ** 32 - 300 * HZ;
/**
 * Where the clock starts by default: the moment the emulated machine has finished booting. The
 * oracle's QEMU guest reaches its first module line at about 2.32 s; starting at 2.3 s keeps the
 * emulated dmesg in the same range.
 */
export const DEFAULT_BOOT_DONE_NANOS = 2_300_000_000;
/** Default wall-clock time of boot (ms since the epoch, UTC): 30 Jul 2024 00:16:10. */
export const DEFAULT_BOOT_WALL_MS = Date.UTC(2024, 6, 30, 0, 16, 10);

export interface ClockOptions {
  /** Nanoseconds since boot when the clock is created (default 2.3 s). */
  readonly startNanos?: number;
  /** Wall-clock time of boot (ms since the epoch, interpreted as UTC). */
  readonly bootWallMs?: number;
}

/** Round a nanosecond count to a non-negative safe integer; anything unusable becomes 0. */
function sanitize(ns: number): number {
  if (!Number.isFinite(ns) || ns <= 0) return 0;
  return Math.min(Math.round(ns), Number.MAX_SAFE_INTEGER);
}

export class Clock {
  private ns: number;
  /** Wall-clock time of boot, ms since the epoch (UTC). */
  readonly bootWallMs: number;

  constructor(options: ClockOptions = {}) {
    this.ns = sanitize(options.startNanos ?? DEFAULT_BOOT_DONE_NANOS);
    this.bootWallMs = Number.isFinite(options.bootWallMs) ? (options.bootWallMs as number) : DEFAULT_BOOT_WALL_MS;
  }

  /** Nanoseconds since boot (local_clock(), ktime_get()). */
  nanos(): number {
    return this.ns;
  }

  /** Let `ns` nanoseconds pass. Negative or non-finite amounts are ignored. */
  advance(ns: number): void {
    const d = sanitize(ns);
    this.ns = Math.min(this.ns + d, Number.MAX_SAFE_INTEGER);
  }

  /** Move to an absolute time since boot; never goes backwards. */
  advanceTo(ns: number): void {
    const t = sanitize(ns);
    if (t > this.ns) this.ns = t;
  }

  /** The 64-bit jiffies counter (jiffies_64 / jiffies on x86_64). */
  get jiffies(): number {
    return INITIAL_JIFFIES + Math.floor(this.ns / TICK_NSEC);
  }

  /** The low 32 bits of jiffies (what a `u32` copy of jiffies holds; wraps 300 s after boot). */
  get jiffies32(): number {
    return this.jiffies % 2 ** 32;
  }

  /** Seconds since boot as the kernel's printk prints them: `[    2.330372]` is 2 and 330372 µs. */
  timestamp(): { secs: number; usecs: number } {
    return splitNanos(this.ns);
  }

  /** Wall-clock milliseconds since the epoch now (boot wall time + time since boot). */
  wallClockMs(ns = this.ns): number {
    return this.bootWallMs + Math.floor(sanitize(ns) / NSEC_PER_MSEC);
  }
}

/** Split nanoseconds since boot into whole seconds and microseconds (print_time's do_div). */
export function splitNanos(ns: number): { secs: number; usecs: number } {
  const t = sanitize(ns);
  const secs = Math.floor(t / NSEC_PER_SEC);
  const usecs = Math.floor((t - secs * NSEC_PER_SEC) / 1000);
  return { secs, usecs };
}

/** msecs_to_jiffies() at HZ=250: rounds up, so msleep(1) waits a whole 4 ms tick. */
export function msecsToJiffies(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) return 0;
  return Math.ceil((Math.floor(ms) * HZ) / 1000);
}

/** usecs_to_jiffies() at HZ=250 (rounds up). */
export function usecsToJiffies(us: number): number {
  if (!Number.isFinite(us) || us <= 0) return 0;
  return Math.ceil((Math.floor(us) * HZ) / 1_000_000);
}

/** jiffies_to_msecs() at HZ=250: 4 ms per jiffy. */
export function jiffiesToMsecs(j: number): number {
  if (!Number.isFinite(j) || j <= 0) return 0;
  return Math.floor(j) * (1000 / HZ);
}

/**
 * How long msleep(ms) called at `nowNs` keeps the task asleep in 6.1 (kernel/time/timer.c): the
 * timeout is msecs_to_jiffies(ms) + 1 ticks from the current jiffy, and the task wakes on the tick
 * where jiffies reaches it; msleep(10) sleeps between 12 and 16 ms at HZ=250.
 */
export function msleepNanos(nowNs: number, ms: number): number {
  const now = sanitize(nowNs);
  const wakeTick = Math.floor(now / TICK_NSEC) + msecsToJiffies(ms) + 1;
  return wakeTick * TICK_NSEC - now;
}

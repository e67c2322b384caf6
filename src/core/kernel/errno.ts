// The errno table: Linux x86_64 errno names and values (include/uapi/asm-generic/errno*.h, plus the
// kernel-internal codes 512..531 of include/linux/errno.h), glibc 2.36's strerror() text for every
// value 1..133 (generated on Debian 12 with a C program calling strerror), the kernel's %pe names
// (lib/errname.c), and kmod's insmod/rmmod wording (tools/insmod.c mod_strerror, tools/rmmod.c).
// Invariants: pure data plus total lookup functions; every function answers for any integer
// (unknown values get glibc's "Unknown error N" or a decimal %pe), nothing throws.

/** One errno: value, its canonical name (undefined for the unassigned 41 and 58) and glibc's message. */
export interface ErrnoEntry {
  readonly value: number;
  readonly name: string | undefined;
  readonly message: string;
}

// [value, name, glibc strerror()] for 1..133, as printed by glibc 2.36 on Debian 12.
const ROWS: readonly (readonly [number, string | undefined, string])[] = [
  [1, 'EPERM', 'Operation not permitted'],
  [2, 'ENOENT', 'No such file or directory'],
  [3, 'ESRCH', 'No such process'],
  [4, 'EINTR', 'Interrupted system call'],
  [5, 'EIO', 'Input/output error'],
  [6, 'ENXIO', 'No such device or address'],
  [7, 'E2BIG', 'Argument list too long'],
  [8, 'ENOEXEC', 'Exec format error'],
  [9, 'EBADF', 'Bad file descriptor'],
  [10, 'ECHILD', 'No child processes'],
  [11, 'EAGAIN', 'Resource temporarily unavailable'],
  [12, 'ENOMEM', 'Cannot allocate memory'],
  [13, 'EACCES', 'Permission denied'],
  [14, 'EFAULT', 'Bad address'],
  [15, 'ENOTBLK', 'Block device required'],
  [16, 'EBUSY', 'Device or resource busy'],
  [17, 'EEXIST', 'File exists'],
  [18, 'EXDEV', 'Invalid cross-device link'],
  [19, 'ENODEV', 'No such device'],
  [20, 'ENOTDIR', 'Not a directory'],
  [21, 'EISDIR', 'Is a directory'],
  [22, 'EINVAL', 'Invalid argument'],
  [23, 'ENFILE', 'Too many open files in system'],
  [24, 'EMFILE', 'Too many open files'],
  [25, 'ENOTTY', 'Inappropriate ioctl for device'],
  [26, 'ETXTBSY', 'Text file busy'],
  [27, 'EFBIG', 'File too large'],
  [28, 'ENOSPC', 'No space left on device'],
  [29, 'ESPIPE', 'Illegal seek'],
  [30, 'EROFS', 'Read-only file system'],
  [31, 'EMLINK', 'Too many links'],
  [32, 'EPIPE', 'Broken pipe'],
  [33, 'EDOM', 'Numerical argument out of domain'],
  [34, 'ERANGE', 'Numerical result out of range'],
  [35, 'EDEADLK', 'Resource deadlock avoided'],
  [36, 'ENAMETOOLONG', 'File name too long'],
  [37, 'ENOLCK', 'No locks available'],
  [38, 'ENOSYS', 'Function not implemented'],
  [39, 'ENOTEMPTY', 'Directory not empty'],
  [40, 'ELOOP', 'Too many levels of symbolic links'],
  [41, undefined, 'Unknown error 41'],
  [42, 'ENOMSG', 'No message of desired type'],
  [43, 'EIDRM', 'Identifier removed'],
  [44, 'ECHRNG', 'Channel number out of range'],
  [45, 'EL2NSYNC', 'Level 2 not synchronized'],
  [46, 'EL3HLT', 'Level 3 halted'],
  [47, 'EL3RST', 'Level 3 reset'],
  [48, 'ELNRNG', 'Link number out of range'],
  [49, 'EUNATCH', 'Protocol driver not attached'],
  [50, 'ENOCSI', 'No CSI structure available'],
  [51, 'EL2HLT', 'Level 2 halted'],
  [52, 'EBADE', 'Invalid exchange'],
  [53, 'EBADR', 'Invalid request descriptor'],
  [54, 'EXFULL', 'Exchange full'],
  [55, 'ENOANO', 'No anode'],
  [56, 'EBADRQC', 'Invalid request code'],
  [57, 'EBADSLT', 'Invalid slot'],
  [58, undefined, 'Unknown error 58'],
  [59, 'EBFONT', 'Bad font file format'],
  [60, 'ENOSTR', 'Device not a stream'],
  [61, 'ENODATA', 'No data available'],
  [62, 'ETIME', 'Timer expired'],
  [63, 'ENOSR', 'Out of streams resources'],
  [64, 'ENONET', 'Machine is not on the network'],
  [65, 'ENOPKG', 'Package not installed'],
  [66, 'EREMOTE', 'Object is remote'],
  [67, 'ENOLINK', 'Link has been severed'],
  [68, 'EADV', 'Advertise error'],
  [69, 'ESRMNT', 'Srmount error'],
  [70, 'ECOMM', 'Communication error on send'],
  [71, 'EPROTO', 'Protocol error'],
  [72, 'EMULTIHOP', 'Multihop attempted'],
  [73, 'EDOTDOT', 'RFS specific error'],
  [74, 'EBADMSG', 'Bad message'],
  [75, 'EOVERFLOW', 'Value too large for defined data type'],
  [76, 'ENOTUNIQ', 'Name not unique on network'],
  [77, 'EBADFD', 'File descriptor in bad state'],
  [78, 'EREMCHG', 'Remote address changed'],
  [79, 'ELIBACC', 'Can not access a needed shared library'],
  [80, 'ELIBBAD', 'Accessing a corrupted shared library'],
  [81, 'ELIBSCN', '.lib section in a.out corrupted'],
  [82, 'ELIBMAX', 'Attempting to link in too many shared libraries'],
  [83, 'ELIBEXEC', 'Cannot exec a shared library directly'],
  [84, 'EILSEQ', 'Invalid or incomplete multibyte or wide character'],
  [85, 'ERESTART', 'Interrupted system call should be restarted'],
  [86, 'ESTRPIPE', 'Streams pipe error'],
  [87, 'EUSERS', 'Too many users'],
  [88, 'ENOTSOCK', 'Socket operation on non-socket'],
  [89, 'EDESTADDRREQ', 'Destination address required'],
  [90, 'EMSGSIZE', 'Message too long'],
  [91, 'EPROTOTYPE', 'Protocol wrong type for socket'],
  [92, 'ENOPROTOOPT', 'Protocol not available'],
  [93, 'EPROTONOSUPPORT', 'Protocol not supported'],
  [94, 'ESOCKTNOSUPPORT', 'Socket type not supported'],
  [95, 'EOPNOTSUPP', 'Operation not supported'],
  [96, 'EPFNOSUPPORT', 'Protocol family not supported'],
  [97, 'EAFNOSUPPORT', 'Address family not supported by protocol'],
  [98, 'EADDRINUSE', 'Address already in use'],
  [99, 'EADDRNOTAVAIL', 'Cannot assign requested address'],
  [100, 'ENETDOWN', 'Network is down'],
  [101, 'ENETUNREACH', 'Network is unreachable'],
  [102, 'ENETRESET', 'Network dropped connection on reset'],
  [103, 'ECONNABORTED', 'Software caused connection abort'],
  [104, 'ECONNRESET', 'Connection reset by peer'],
  [105, 'ENOBUFS', 'No buffer space available'],
  [106, 'EISCONN', 'Transport endpoint is already connected'],
  [107, 'ENOTCONN', 'Transport endpoint is not connected'],
  [108, 'ESHUTDOWN', 'Cannot send after transport endpoint shutdown'],
  [109, 'ETOOMANYREFS', 'Too many references: cannot splice'],
  [110, 'ETIMEDOUT', 'Connection timed out'],
  [111, 'ECONNREFUSED', 'Connection refused'],
  [112, 'EHOSTDOWN', 'Host is down'],
  [113, 'EHOSTUNREACH', 'No route to host'],
  [114, 'EALREADY', 'Operation already in progress'],
  [115, 'EINPROGRESS', 'Operation now in progress'],
  [116, 'ESTALE', 'Stale file handle'],
  [117, 'EUCLEAN', 'Structure needs cleaning'],
  [118, 'ENOTNAM', 'Not a XENIX named type file'],
  [119, 'ENAVAIL', 'No XENIX semaphores available'],
  [120, 'EISNAM', 'Is a named type file'],
  [121, 'EREMOTEIO', 'Remote I/O error'],
  [122, 'EDQUOT', 'Disk quota exceeded'],
  [123, 'ENOMEDIUM', 'No medium found'],
  [124, 'EMEDIUMTYPE', 'Wrong medium type'],
  [125, 'ECANCELED', 'Operation canceled'],
  [126, 'ENOKEY', 'Required key not available'],
  [127, 'EKEYEXPIRED', 'Key has expired'],
  [128, 'EKEYREVOKED', 'Key has been revoked'],
  [129, 'EKEYREJECTED', 'Key was rejected by service'],
  [130, 'EOWNERDEAD', 'Owner died'],
  [131, 'ENOTRECOVERABLE', 'State not recoverable'],
  [132, 'ERFKILL', 'Operation not possible due to RF-kill'],
  [133, 'EHWPOISON', 'Memory page has hardware error'],
];

/** Kernel-internal error codes (never seen by user space; strerror() says "Unknown error N"). */
const KERNEL_INTERNAL: readonly (readonly [number, string])[] = [
  [512, 'ERESTARTSYS'], [513, 'ERESTARTNOINTR'], [514, 'ERESTARTNOHAND'], [515, 'ENOIOCTLCMD'],
  [516, 'ERESTART_RESTARTBLOCK'], [517, 'EPROBE_DEFER'], [518, 'EOPENSTALE'], [519, 'ENOPARAM'],
  [521, 'EBADHANDLE'], [522, 'ENOTSYNC'], [523, 'EBADCOOKIE'], [524, 'ENOTSUPP'], [525, 'ETOOSMALL'],
  [526, 'ESERVERFAULT'], [527, 'EBADTYPE'], [528, 'EJUKEBOX'], [529, 'EIOCBQUEUED'], [530, 'ERECALLCONFLICT'],
  [531, 'ENOGRACE'],
];

/** Every errno 1..133 in order (41 and 58 are unassigned on x86_64 and have no name). */
export const ERRNO_TABLE: readonly ErrnoEntry[] = ROWS.map(([value, name, message]) => ({ value, name, message }));

const BY_VALUE = new Map<number, ErrnoEntry>(ERRNO_TABLE.map((e) => [e.value, e]));

/**
 * Name → value for every errno name a module can use, including the aliases EWOULDBLOCK (= EAGAIN),
 * EDEADLOCK (= EDEADLK), ENOTSUP (= EOPNOTSUPP, glibc's spelling) and the kernel-internal codes.
 */
export const ERRNO_VALUES: ReadonlyMap<string, number> = new Map<string, number>([
  ...ERRNO_TABLE.filter((e) => e.name !== undefined).map((e) => [e.name as string, e.value] as [string, number]),
  ['EWOULDBLOCK', 11],
  ['EDEADLOCK', 35],
  ['ENOTSUP', 95],
  ...KERNEL_INTERNAL.map(([v, n]) => [n, v] as [string, number]),
]);

const KERNEL_NAMES = new Map<number, string>(KERNEL_INTERNAL.map(([v, n]) => [v, n]));

/** The errno's canonical name (`ENOMEM`), or undefined. Accepts negative values (-12 → ENOMEM). */
export function errnoName(errno: number): string | undefined {
  const v = Math.abs(Math.trunc(errno));
  return BY_VALUE.get(v)?.name ?? KERNEL_NAMES.get(v);
}

/** The value of an errno name (`ENOMEM` → 12), or undefined. */
export function errnoValue(name: string): number | undefined {
  return ERRNO_VALUES.get(name);
}

/** glibc's strerror(): `Cannot allocate memory`; `Unknown error N` outside the table (N as given). */
export function strerror(errno: number): string {
  const n = Math.trunc(errno);
  return BY_VALUE.get(n)?.message ?? `Unknown error ${Number.isFinite(n) ? n : 0}`;
}

/**
 * The kernel's %pe text for an error code (lib/errname.c with CONFIG_SYMBOLIC_ERRNAME=y): `-ENOMEM`
 * for -12; undefined for codes without a name (ENOGRACE, 41, 58, ...), which %pe prints in decimal.
 * Aliases print as their canonical name (EWOULDBLOCK → -EAGAIN).
 */
export function errname(err: number): string | undefined {
  const v = Math.abs(Math.trunc(err));
  if (v === 531) return undefined; // ENOGRACE is missing from lib/errname.c in 6.1.
  const name = BY_VALUE.get(v)?.name ?? KERNEL_NAMES.get(v);
  if (name === undefined) return undefined;
  return `${err < 0 ? '-' : ''}${name}`;
}

/**
 * kmod's insmod wording for a failed init_module()/finit_module() (tools/insmod.c mod_strerror):
 * four errnos get module-specific text, everything else is strerror().
 */
export function kmodInsmodStrerror(errno: number): string {
  switch (Math.abs(Math.trunc(errno))) {
    case 8: return 'Invalid module format'; // ENOEXEC
    case 2: return 'Unknown symbol in module'; // ENOENT
    case 3: return 'Module has wrong symbol version'; // ESRCH
    case 22: return 'Invalid parameters'; // EINVAL
    default: return strerror(Math.abs(Math.trunc(errno)));
  }
}

/** `insmod: ERROR: could not insert module test_mem.ko: Cannot allocate memory` (errno positive or negative). */
export function insmodErrorLine(koFile: string, errno: number): string {
  return `insmod: ERROR: could not insert module ${koFile}: ${kmodInsmodStrerror(errno)}`;
}

/** kmod's rmmod messages (tools/rmmod.c, libkmod's kmod_module_remove_module). */
export const RMMOD_MESSAGES = {
  notLoaded: (name: string): string => `rmmod: ERROR: Module ${name} is not currently loaded`,
  inUse: (name: string): string => `rmmod: ERROR: Module ${name} is in use`,
  inUseBy: (name: string, holders: readonly string[]): string => `rmmod: ERROR: Module ${name} is in use by: ${holders.join(' ')}`,
  builtin: (name: string): string => `rmmod: ERROR: Module ${name} is builtin.`,
  /** libkmod's own line (`%m` is strerror(errno)), printed before rmmod's. */
  libkmodCouldNotRemove: (name: string, errno: number): string => `rmmod: ERROR: could not remove '${name}': ${strerror(Math.abs(errno))}`,
  couldNotRemove: (name: string, errno: number): string => `rmmod: ERROR: could not remove module ${name}: ${strerror(Math.abs(errno))}`,
} as const;

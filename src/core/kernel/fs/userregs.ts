// The user registers a report prints below `entry_SYSCALL_64_after_hwframe` when an Oops hits a
// system call of the shell's commands: busybox's syscall stubs as the oracle's guest showed them
// (RIP, the code bytes around it, the stack) with the call's own arguments in RDI, RSI and RDX.
// read(2), write(2) and openat(2) are the oracle's recordings (user_deref_read, user_deref,
// proc_forget); the other calls are modelled on write's stub with their own number: RIP and the
// stack are plausible, the argument registers are those of the call.

import type { UserRegs } from '../report';

const hex = (s: string): number[] => s.split(' ').map((b) => parseInt(b.replace(/[<>]/g, ''), 16));

/** busybox's write() stub (`b8 01 00 00 00 0f 05`), as the oracle printed it. */
const WRITE_CODE = hex('40 00 48 c7 c2 e0 ff ff ff f7 d8 64 89 02 48 c7 c0 ff ff ff ff eb b7 0f 1f 00 80 3d e8 85 16 00 00 74 17 b8 01 00 00 00 0f 05 <48> 3d 00 f0 ff ff 77 58 c3 0f 1f 80 00 00 00 00 48 83 ec 28 48 89');
/** busybox's openat() stub (`b8 01 01 00 00 0f 05`), as the oracle printed it. */
const OPENAT_CODE = hex('75 57 89 f0 25 00 00 41 00 3d 00 00 41 00 74 49 80 3d b1 87 16 00 00 74 6d 89 da 48 89 ee bf 9c ff ff ff b8 01 01 00 00 0f 05 <48> 3d 00 f0 ff ff 0f 87 93 00 00 00 48 8b 54 24 28 64 48 2b 14 25');

/** busybox's read() stub (`31 c0 0f 05`), as the oracle printed it. */
const READ_CODE = hex('07 31 c0 e9 b5 fe ff ff 50 48 8d 3d e5 26 12 00 e8 38 7d 00 00 0f 1f 84 00 00 00 00 00 80 3d 88 86 16 00 00 74 17 31 c0 0f 05 <48> 3d 00 f0 ff ff 77 5b c3 66 2e 0f 1f 84 00 00 00 00 00 48 83 ec');

/** The stub of syscall `nr` modelled on write's: the same code with its number in `mov eax`. */
function stubLike(nr: number): number[] {
  const code = [...WRITE_CODE];
  code[36] = nr & 0xff;
  code[37] = (nr >> 8) & 0xff;
  return code;
}

const STACK = { rsp: 0x7fff00099828, eflags: 0x202, rax: -38, r8: 0, r9: 0x5e2740, r10: 0x1b6, r11: 0x202, r13: 0x341ad3a0, r14: 1, r15: 0x7fff00099890 };

/** Syscall numbers on x86_64 and the stub address each is entered from. */
const CALLS = {
  read: { nr: 0, rip: 0x47b6fd },
  write: { nr: 1, rip: 0x47b7a0 },
  close: { nr: 3, rip: 0x47b6e0 },
  lseek: { nr: 8, rip: 0x47b800 },
  ioctl: { nr: 16, rip: 0x47b860 },
  openat: { nr: 0x101, rip: 0x47b5e1 },
} as const;

export type SyscallName = keyof typeof CALLS;

/** The user registers at entry to `call` with arguments (fd or dirfd, buffer or path, count or flags). */
export function syscallRegs(call: SyscallName, rdi: number, rsi: number, rdx: number): UserRegs {
  const c = CALLS[call];
  if (call === 'read') {
    // cat's read(3, buf, 65536) from the oracle's user_deref_read run.
    return {
      rip: c.rip, code: READ_CODE, rsp: 0x7ffc018b5fc8, eflags: 0x246, origRax: c.nr, rax: -38,
      rbx: rdi, rcx: c.rip, rdx, rsi, rdi, rbp: rsi, r8: 0xffffffff, r9: 0, r10: 0x22, r11: 0x246, r12: rdx, r13: 0x8dc33a0, r14: 1, r15: 0,
    };
  }
  if (call === 'openat') {
    // cat's openat(AT_FDCWD, path, flags) from the oracle's proc_forget run.
    return {
      rip: c.rip, code: OPENAT_CODE, rsp: 0x7ffe2d6f6c50, eflags: 0x202, origRax: c.nr, rax: -38,
      rbx: 0, rcx: c.rip, rdx, rsi, rdi: 0xffffff9c, rbp: rsi, r8: 0, r9: 0, r10: 0, r11: 0x202, r12: 0x7ffe2d6f6f58, r13: 0, r14: 0, r15: 2,
    };
  }
  return { ...STACK, rip: c.rip, code: call === 'write' ? WRITE_CODE : stubLike(c.nr), origRax: c.nr, rbx: rdi, rcx: c.rip, rdx, rsi, rdi, rbp: rsi, r12: rdx };
}

/** Where cat keeps the path it opens (argv, at the top of its stack), as in the oracle's run. */
const OPEN_PATH = 0x7ffe2d6f8fa0;

/** openat(AT_FDCWD, path, flags) of a command opening a file. */
export function openRegs(flags: number): UserRegs {
  return syscallRegs('openat', 0, OPEN_PATH, flags);
}

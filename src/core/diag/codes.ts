// The catalog of diagnostic codes. Each code is stable: tests, docs and quick fixes refer to it.
// KM1xxx preprocessor and syntax, KM2xxx types and declarations, KM3xxx static analysis,
// KM4xxx runtime findings of the emulated kernel, KM9xxx limits of Kernel Module Lab itself.

export interface CodeInfo {
  readonly code: string;
  readonly title: string;
  /** One line of teaching text shown with the finding. */
  readonly teach: string;
  readonly doc?: string;
}

const entries: CodeInfo[] = [
  { code: 'KM1001', title: 'syntax error', teach: 'The C parser could not read this; fix the first error first, later ones often follow from it.' },
  { code: 'KM1002', title: 'preprocessor error', teach: 'The preprocessor runs before the compiler: #include, #define and #if are resolved here.' },
  { code: 'KM1003', title: '#error directive', teach: 'The module asked the build to stop with this message.' },
  { code: 'KM1004', title: 'missing header', teach: 'Kernel Module Lab ships the kernel headers that teaching modules use; this one is not among them.', doc: 'https://www.kernel.org/doc/html/v6.1/kernel-hacking/hacking.html' },
  { code: 'KM2001', title: 'undeclared identifier', teach: 'Every name must be declared before use; kernel APIs come from the <linux/*.h> headers.' },
  { code: 'KM2002', title: 'type error', teach: 'C checks types at compile time; the kernel build (gcc -Werror for some warnings) rejects this.' },
  { code: 'KM2003', title: 'implicit declaration', teach: 'Since Linux 5.x kernel builds fail on implicit function declarations: include the header that declares it.' },
  { code: 'KM2004', title: 'floating point in kernel code', teach: 'Kernel code cannot use floating point: the kernel does not save the FPU registers on entry, so using them corrupts user-space state. Use integers (fixed point) instead.', doc: 'https://www.kernel.org/doc/html/v6.1/core-api/floating-point.html' },
  { code: 'KM2005', title: 'redefinition', teach: 'A name can be defined only once in a translation unit.' },
  { code: 'KM2006', title: 'warning', teach: 'gcc warns about this when building the module.' },
  { code: 'KM9001', title: 'not supported by Kernel Module Lab', teach: 'This is valid kernel C, but the emulated kernel does not support it yet.' },
  { code: 'KM9002', title: 'limit reached', teach: 'A limit of Kernel Module Lab was reached; the settings can raise it.' },
];

export const CODES: ReadonlyMap<string, CodeInfo> = new Map(entries.map((e) => [e.code, e]));

export function registerCodes(more: CodeInfo[]): void {
  for (const e of more) (CODES as Map<string, CodeInfo>).set(e.code, e);
}

// Whether a C file looks like a kernel module, for the `kmodlab.isModule` context key that shows
// the Load Module button in the editor title. A cheap textual heuristic on purpose (it runs on the
// extension host as the student types): the file includes <linux/module.h>, registers an init
// function with module_init(), or defines init_module() itself. Comments do not count.

/**
 * Removes C comments, keeping string literals (a `"//"` inside a string is not a comment); with
 * `emptyStrings`, string literals become `""` as well.
 */
export function stripComments(text: string, emptyStrings = false): string {
  return text.replace(/("(?:[^"\\\n]|\\.)*")|\/\*[\s\S]*?(?:\*\/|$)|\/\/[^\n]*/g, (m, str: string | undefined) =>
    str !== undefined ? (emptyStrings ? '""' : str) : m.startsWith('/*') ? ' ' : '',
  );
}

const INCLUDES_MODULE_H = /^[ \t]*#[ \t]*include[ \t]*<linux\/module\.h>/m;
const CALLS_MODULE_INIT = /\bmodule_init[ \t]*\(/;
/** A definition (a body follows the parameter list), not a declaration. */
const DEFINES_INIT_MODULE = /\binit_module[ \t]*\([^;{}()]*\)[\s]*\{/;

/** True when `text` (a C file) looks like a kernel module. */
export function looksLikeModule(text: string): boolean {
  const code = stripComments(text, true);
  return INCLUDES_MODULE_H.test(code) || CALLS_MODULE_INIT.test(code) || DEFINES_INIT_MODULE.test(code);
}

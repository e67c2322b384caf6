// Where `#include "..."` may read: the module's own folder and nothing else. A file of its own
// (no imports) so the extension host can apply the same rule without bundling the front end.

/**
 * True when `#include "name"` would leave the module's folder: an absolute path, a drive letter or
 * a `..` segment. Such includes are refused with KM1005 before any host is asked to read them, so
 * student code can never make the extension or the CLI read outside the workspace.
 */
export function leavesModuleFolder(name: string): boolean {
  return /^[\\/]|^[A-Za-z]:/.test(name) || name.split(/[\\/]/).includes('..');
}

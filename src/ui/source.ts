// Gathers what the worker needs to build a module: the document's current text (unsaved edits
// included) and the files its `#include "..."` lines name, read from the module's folder (open
// editors first, then the file system through vscode.workspace.fs, which works on the web too).
// The worker cannot read files itself: the core is pure and the web worker has no file system.

import * as vscode from 'vscode';
import { leavesModuleFolder } from '../core/c/includePath';
import type { ModuleSource } from '../protocol/kernel';
import { baseName } from './convert';
import { quoteIncludes } from './sourceRefs';

/** How deep `#include "a.h"` → `#include "b.h"` chains are followed. */
const MAX_INCLUDE_DEPTH = 8;

export interface ReadModule {
  readonly source: ModuleSource;
  /** Every file sent, by the name the kernel prints (for links in the kernel log). */
  readonly files: ReadonlyMap<string, vscode.Uri>;
}

export type SourceReader = (doc: vscode.TextDocument) => Promise<ReadModule>;

export const readModuleSource: SourceReader = async (doc) => {
  const fileName = baseName(doc.uri.path) || 'module.c';
  const files = new Map<string, vscode.Uri>([[fileName, doc.uri]]);
  const locals: Record<string, string> = {};
  let wanted = quoteIncludes(doc.getText());
  for (let depth = 0; depth < MAX_INCLUDE_DEPTH && wanted.length; depth++) {
    const next: string[] = [];
    for (const name of wanted) {
      // The core refuses the same names: no way out of the module's folder.
      if (name in locals || leavesModuleFolder(name)) continue;
      const uri = vscode.Uri.joinPath(doc.uri, '..', name);
      const text = await readText(uri);
      if (text === undefined) continue;
      locals[name] = text;
      files.set(name, uri);
      next.push(...quoteIncludes(text));
    }
    wanted = next;
  }
  return { source: { fileName, text: doc.getText(), locals }, files };
};

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

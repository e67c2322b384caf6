// Quick fixes for kmodlab diagnostics. The fixes are computed by the core (add a NULL check, use
// the matching free, use GFP_ATOMIC under a lock); this provider only filters the diagnostics in
// the request by source, looks their fixes up for the current document version (stale ones are
// dropped) and converts the edits.

import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { Diagnostics } from './diagnostics';

export class KernelQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: Diagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      const found = this.diagnostics.fixesFor(doc, d);
      if (!found) continue;
      found.fixes.forEach((fix, i) => {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) {
          const uri = found.files.uriOf(e.range);
          if (uri) edit.replace(uri, found.files.range(e.range), e.newText);
        }
        action.edit = edit;
        action.diagnostics = [d];
        action.isPreferred = i === 0;
        out.push(action);
      });
    }
    return out;
  }
}

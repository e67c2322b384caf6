// Hovers on kernel APIs (from the API table, which the worker sends once), GFP flags, allocation
// calls whose size is known (`56 bytes → kmalloc-64, 8 bytes unused`), and runtime findings (the
// kernel's whole report for the line). The text itself comes from hoverText.ts.

import * as vscode from 'vscode';
import type { WireApi } from '../protocol/kernel';
import { Disposable } from './dispose';
import type { Diagnostics } from './diagnostics';
import type { KernelClient } from './kernelClient';
import { oneBased, rangeContains } from './convert';
import { apiHover, gfpHover } from './hoverText';
import type { StaticAnalysis } from './staticAnalysis';
import { isModuleDocument } from './staticAnalysis';

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/;

export class KernelHovers extends Disposable implements vscode.HoverProvider {
  private apis: Promise<Map<string, WireApi>> | undefined;

  constructor(
    private readonly client: KernelClient,
    private readonly analysis: StaticAnalysis,
    private readonly diagnostics: Diagnostics,
  ) {
    super();
  }

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!isModuleDocument(doc)) return undefined;
    const parts: vscode.MarkdownString[] = [];
    for (const f of this.diagnostics.reportsAt(doc, pos)) {
      const md = new vscode.MarkdownString();
      md.appendMarkdown(`**Kernel report** (\`${f.rule}\`)\n\n`);
      md.appendCodeblock(f.report.length ? f.report.join('\n') : f.message, 'kmodlab-dmesg');
      parts.push(md);
    }
    const wordRange = doc.getWordRangeAtPosition(pos, IDENTIFIER);
    if (wordRange) {
      const word = doc.getText(wordRange);
      const gfp = gfpHover(word);
      if (gfp) parts.push(new vscode.MarkdownString(gfp));
      const api = (await this.apiTable()).get(word);
      if (api) {
        const at = oneBased(pos.line, pos.character);
        const alloc = this.analysis.currentFacts(doc)?.allocations.find((a) => a.fn === word && rangeContains(a.range, at));
        parts.push(new vscode.MarkdownString(apiHover(api, alloc)));
      }
      if (parts.length) return new vscode.Hover(parts, wordRange);
    }
    return parts.length ? new vscode.Hover(parts) : undefined;
  }

  /** The API table, asked of the worker once; an empty table if the worker cannot answer. */
  private apiTable(): Promise<Map<string, WireApi>> {
    this.apis ??= this.client.request({ type: 'api-table' }, 30_000).then(
      (r) => new Map(r.apis.map((a) => [a.name, a])),
      () => {
        this.apis = undefined; // Ask again next time.
        return new Map<string, WireApi>();
      },
    );
    return this.apis;
  }
}

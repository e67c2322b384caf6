// PLACEHOLDER for the memory map panel (a later issue builds the real one in media/ with the typed
// protocol of src/protocol/memoryMap.ts). For now it shows the kept machine's memory snapshot as
// JSON in a <pre>. No scripts run in it: the CSP allows nothing but the webview's own styles.

import * as vscode from 'vscode';
import { Disposable } from './dispose';

export const MEMORY_MAP_TITLE = 'Kernel Module Lab: Memory Map';

export class MemoryMapPanel extends Disposable {
  private panel: vscode.WebviewPanel | undefined;

  /** Shows the panel (creating it on first use) with `snapshot`, or a hint when nothing is loaded. */
  show(snapshot: unknown): void {
    if (!this.panel) {
      this.panel = this.register(
        vscode.window.createWebviewPanel('kmodlab.memoryMap', MEMORY_MAP_TITLE, vscode.ViewColumn.Beside, { enableScripts: false, localResourceRoots: [] }),
      );
      this.register(this.panel.onDidDispose(() => (this.panel = undefined)));
    } else {
      this.panel.reveal(undefined, true);
    }
    this.panel.webview.html = html(this.panel.webview.cspSource, snapshot);
  }
}

function html(cspSource: string, snapshot: unknown): string {
  const body =
    snapshot === undefined
      ? '<p id="empty">No module is loaded: run <b>Kernel Module Lab: Load Module</b> first.</p>'
      : `<pre id="snapshot">${escapeHtml(JSON.stringify(snapshot, null, 2))}</pre>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${MEMORY_MAP_TITLE}</title>
</head>
<body>
<h1>Memory map</h1>
${body}
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

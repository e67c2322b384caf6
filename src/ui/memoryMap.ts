// The Memory Map panel: a webview beside the editor that draws the kept machine's memory (the
// module's objects, the virtual address space, page frames, slab caches) and steps through the
// run's timeline. The webview (media/main.ts, bundled to dist/webview/) talks to this host only
// with the typed messages of src/protocol/memoryMap.ts; this host relays them to the kernel worker
// as `memmap` requests and reveals source lines in the editor.
//
// Invariants: one panel at most. The webview's HTML has a strict CSP (default-src 'none', the
// script by a fresh random nonce, styles and script from the extension's dist/webview only), and
// the webview shows every string from module memory or source as text. The panel survives a
// reload through the serializer: the webview keeps its view state with `setState`, and sends it
// back in `ready`, which is when it gets the snapshot at the step it showed.
//
// Following the debugger: while the panel is open it subscribes to the debugger's stops; at each
// stop it shows the snapshot the debug worker built there, with the objects the current line
// touches marked, and Load, Unload and Reload are not shown until the debug session ends, when the
// panel goes back to the kept machine's last step. Closed, it does not subscribe, so the debugger
// builds no snapshot.

import * as vscode from 'vscode';
import type { WireRange } from '../protocol/kernel';
import type { DebugStep } from '../core/index';
import type { FromMemmapView, MemmapViewState, ToMemmapView } from '../protocol/memoryMap';
import { toRange } from './convert';
import type { DebugFollower } from './debug/register';
import { Disposable } from './dispose';
import { Cancelled } from './kernelClient';
import type { KernelClient } from './kernelClient';
import { debugStopMessage } from './memmapFollow';

export const MEMORY_MAP_TITLE = 'Kernel Module Lab: Memory Map';
export const MEMORY_MAP_VIEW_TYPE = 'kmodlab.memoryMap';

/** The longest a snapshot may take (a run of 10,000 objects takes well under a second). */
const MEMMAP_TIMEOUT_MS = 60_000;

export class MemoryMapPanel extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** The webview follows the last step (false once the student stepped the timeline). */
  private followLast = true;
  /** The debugger, when the host has one; and the stop shown while following it (else Load's machine). */
  private debugger: DebugFollower | undefined;
  private debugStop: Extract<ToMemmapView, { type: 'snapshot' }> | undefined;
  /** The open panel's subscription to the debugger's stops. */
  private debugSub: vscode.Disposable | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly kernel: KernelClient,
    machineChanged: vscode.Event<void>,
  ) {
    super();
    this.register(
      vscode.window.registerWebviewPanelSerializer(MEMORY_MAP_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.adopt(panel),
      }),
    );
    // Live: after every Load, Unload and Reload the panel shows the machine's new last step.
    this.register(machineChanged(() => void this.refresh()));
  }

  /** Follow this debugger's stops while the panel is open. */
  followDebugger(follower: DebugFollower): void {
    this.debugger = follower;
    this.register(
      follower.onDidEnd(() => {
        if (!this.debugStop) return;
        this.debugStop = undefined;
        void this.refresh();
      }),
    );
    if (this.panel) this.subscribe(this.panel);
  }

  /** Shows the panel (creating it on first use); it asks for the snapshot itself once loaded. */
  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    // The new panel takes the focus, so a keyboard user lands in it.
    const panel = vscode.window.createWebviewPanel(MEMORY_MAP_VIEW_TYPE, MEMORY_MAP_TITLE, vscode.ViewColumn.Beside, this.options());
    this.adopt(panel);
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')] };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = this.options();
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, nonce());
    const subs = [
      panel.webview.onDidReceiveMessage((msg: FromMemmapView) => void this.onMessage(msg)),
      panel.onDidDispose(() => {
        if (this.panel === panel) {
          this.panel = undefined;
          this.debugStop = undefined;
          this.debugSub?.dispose();
          this.debugSub = undefined;
        }
        for (const s of subs) s.dispose();
      }),
    ];
    if (this.debugger) this.subscribe(panel);
    this.register(panel);
  }

  /** Listen to the debugger's stops while `panel` is the panel (a stop in progress arrives at once). */
  private subscribe(panel: vscode.WebviewPanel): void {
    this.debugSub?.dispose();
    this.debugSub = this.debugger!.onDidStop((step: DebugStep) => {
      if (this.panel !== panel) return;
      this.debugStop = debugStopMessage(step);
      this.post(this.debugStop);
    });
  }

  private async onMessage(msg: FromMemmapView): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.followLast = msg.state?.at === undefined;
        if (this.debugStop) this.post({ ...this.debugStop, state: msg.state });
        else await this.sendSnapshot(msg.state);
        return;
      case 'step': {
        // The debugger sets the step while it is followed (the webview's timeline is disabled then).
        if (this.debugStop) return this.post(this.debugStop);
        this.followLast = false;
        const reply = await this.ask({ type: 'memmap', from: msg.from, at: msg.to });
        if (this.debugStop) return;
        // No delta: the machine is gone (a failed Load); the webview starts over from a snapshot.
        if (reply?.delta) this.post({ type: 'delta', delta: reply.delta });
        else await this.refresh();
        return;
      }
      case 'reveal':
        await revealRange(msg.range);
        return;
    }
  }

  /** A new run: the webview starts over at the last step. */
  private async refresh(): Promise<void> {
    if (!this.panel || this.debugStop) return;
    this.followLast = true;
    await this.sendSnapshot(undefined);
  }

  private async sendSnapshot(state: MemmapViewState | undefined): Promise<void> {
    const reply = await this.ask({ type: 'memmap', at: this.followLast ? undefined : state?.at });
    // A debugger stop that arrived meanwhile stays shown.
    if (this.debugStop) return;
    this.post({ type: 'snapshot', snapshot: reply?.snapshot, state });
  }

  private async ask(req: { type: 'memmap'; at?: number; from?: number }) {
    try {
      return await this.kernel.request(req, MEMMAP_TIMEOUT_MS);
    } catch (e) {
      if (!(e instanceof Cancelled)) void vscode.window.showErrorMessage(`Kernel Module Lab: the memory map failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  private post(msg: ToMemmapView): void {
    void this.panel?.webview.postMessage(msg);
  }
}

/** A 128-bit nonce from the platform's cryptographic source (Node 20 and browsers have `crypto`). */
function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, scriptNonce: string): string {
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `script-src 'nonce-${scriptNonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('main.css')}">
<title>${MEMORY_MAP_TITLE}</title>
</head>
<body>
<div id="app" aria-live="polite"><p class="empty">Loading the memory map…</p></div>
<script nonce="${scriptNonce}" src="${asset('main.js')}"></script>
</body>
</html>`;
}

/** Shows the line a range points at in the student's file, keeping the keyboard in the panel. */
async function revealRange(range: WireRange): Promise<void> {
  if (range.virtual) return;
  const name = range.file;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith(`/${name}`));
  const uri = open?.uri ?? (await vscode.workspace.findFiles(`**/${name}`, undefined, 1))[0];
  if (!uri) return;
  const r = toRange(range, vscode.Range, true);
  const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())?.viewColumn ?? vscode.ViewColumn.One;
  const editor = await vscode.window.showTextDocument(uri, { viewColumn: column, preserveFocus: true, selection: r });
  editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

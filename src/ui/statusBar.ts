// The status bar item that shows the module's state (not loaded, loading, live, failed, or live in
// a tainted kernel) and opens the kernel log when clicked. It also keeps the
// `kmodlab.moduleLoaded` context key, which the Unload command's palette entry uses.

import * as vscode from 'vscode';
import type { ModuleState } from '../protocol/kernel';
import { Disposable } from './dispose';

export type ShownState = ModuleState | 'loading' | 'unloading';

const LOOK: Record<ShownState, { icon: string; label: string; background?: string; tooltip: string }> = {
  'not-loaded': { icon: '$(circle-outline)', label: 'not loaded', tooltip: 'No module is loaded in the emulated kernel.' },
  loading: { icon: '$(sync~spin)', label: 'loading…', tooltip: 'insmod is running in the emulated kernel.' },
  unloading: { icon: '$(sync~spin)', label: 'unloading…', tooltip: 'rmmod is running in the emulated kernel.' },
  live: { icon: '$(pass-filled)', label: 'live', tooltip: 'The module is loaded and the kernel reported no bug.' },
  failed: { icon: '$(error)', label: 'failed', background: 'statusBarItem.errorBackground', tooltip: 'insmod or rmmod failed: see the Kernel Log and the Problems panel.' },
  tainted: { icon: '$(warning)', label: 'live, kernel tainted', background: 'statusBarItem.warningBackground', tooltip: 'The module is loaded, but the kernel reported a bug (it is tainted): see the Kernel Log.' },
};

export class ModuleStatus extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('kmodlab.status', vscode.StatusBarAlignment.Left, 50));

  constructor() {
    super();
    this.item.name = 'Kernel Module Lab';
    this.item.command = 'kmodlab.showKernelLog';
    this.set('not-loaded', undefined);
    this.item.show();
  }

  /** The state shown now. */
  state: ShownState = 'not-loaded';

  set(state: ShownState, module: string | undefined, detail?: string): void {
    this.state = state;
    const look = LOOK[state];
    this.item.text = `${look.icon} ${module ?? 'Module'}: ${look.label}`;
    this.item.tooltip = `${look.tooltip}${detail ? `\n${detail}` : ''}\nClick to open the Kernel Log.`;
    this.item.backgroundColor = look.background ? new vscode.ThemeColor(look.background) : undefined;
    void vscode.commands.executeCommand('setContext', 'kmodlab.moduleLoaded', state === 'live' || state === 'tainted');
  }
}

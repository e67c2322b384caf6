// The Disposable helper every provider, listener and panel host in src/ui derives from: whatever a
// class registers through `register` is disposed with it, in reverse order. activate() hands the
// top-level objects to `context.subscriptions`, so nothing outlives the extension.

import type * as vscode from 'vscode';

export abstract class Disposable implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  /** Registers `d` to be disposed with this object (immediately, if this one is gone already). */
  protected register<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.disposables.push(d);
    return d;
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.disposables.length) {
      try {
        this.disposables.pop()!.dispose();
      } catch {
        // One failing dispose must not keep the others alive.
      }
    }
  }
}

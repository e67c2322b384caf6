// The extension in a real VS Code (@vscode/test-electron): the same scenario as the code-server e2e
// suite (test/e2e/ui.test.mjs), driven through the VS Code API instead of the DOM. The workspace
// holds a copy of examples/test_mem.c (runTest.ts). Waits poll the state they wait for, never a
// fixed delay.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KmodlabApi } from '../../../src/ui/main';

const EXTENSION_ID = 'kmodlab.kmodlab';

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function moduleUri(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, 'test_mem.c');
}

/** The null-check findings on the module, by 1-based line. */
function nullCheckLines(uri: vscode.Uri): number[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => /may be NULL \(it is not checked\)/.test(d.message))
    .map((d) => d.range.start.line + 1)
    .sort((a, b) => a - b);
}

/** The 0-based position of the first occurrence of `needle` on 1-based `line`. */
function positionOf(doc: vscode.TextDocument, line: number, needle: string): vscode.Position {
  const character = doc.lineAt(line - 1).text.indexOf(needle);
  assert.ok(character >= 0, `line ${line} contains ${needle}`);
  return new vscode.Position(line - 1, character);
}

export function registerExtensionTests(): void {
  describe('Kernel Module Lab in VS Code', () => {
    let api: KmodlabApi;
    let doc: vscode.TextDocument;

    before(async () => {
      doc = await vscode.workspace.openTextDocument(moduleUri());
      await vscode.window.showTextDocument(doc);
      const ext = vscode.extensions.getExtension<KmodlabApi>(EXTENSION_ID);
      assert.ok(ext, `${EXTENSION_ID} is installed`);
      api = await ext.activate();
    });

    it('offers Load and Unload CodeLenses above the init and exit functions', async () => {
      const lenses = await until('the CodeLenses', async () => {
        const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
        return found?.length ? found : undefined;
      });
      const titles = lenses.map((l) => l.command?.title);
      assert.ok(titles.includes('▶ Load Module'), titles.join(', '));
      assert.ok(titles.includes('⏏ Unload Module'), titles.join(', '));
      assert.equal(api.moduleState(), 'not-loaded');
    });

    it('reports the three unchecked kmalloc/vmalloc results', async () => {
      const lines = await until('three null-check findings', () => (nullCheckLines(doc.uri).length === 3 ? nullCheckLines(doc.uri) : undefined));
      assert.deepEqual(lines, [21, 28, 35]);
    });

    it('loads the module: the kernel log shows the three people', async () => {
      await vscode.commands.executeCommand('kmodlab.loadModule', doc.uri);
      const log = await until('roman3 in the kernel log', () => (api.kernelLog().includes('Person: roman3; weight: 390; gender: Male') ? api.kernelLog() : undefined));
      assert.match(log, /\[\s+\d+\.\d{6}\] Person: roman1; weight: 130; gender: Male/);
      assert.match(log, /test_mem: loading out-of-tree module taints kernel\./);
      assert.equal(api.moduleState(), 'live');
    });

    it('hovering kmalloc names the slab cache of struct Person', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 20, 'kmalloc'));
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.match(text, /56 bytes → kmalloc-64, 8 bytes unused/);
      assert.match(text, /May sleep/);
    });

    it('the NULL-check quick fix inserts the check and its finding goes away', async () => {
      const range = new vscode.Range(20, 0, 20, doc.lineAt(20).text.length);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, range);
      const fix = actions.find((a) => a.title === 'Return -ENOMEM when aNewPerson is NULL');
      assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.match(doc.getText(), /aNewPerson = kmalloc\(sizeof\(\*aNewPerson\), GFP_KERNEL\);\nif \(!aNewPerson\)\n\s+return -ENOMEM;\nstrcpy\(aNewPerson->name, "roman1"\);/);
      await until('two null-check findings', () => (nullCheckLines(doc.uri).length === 2 ? true : undefined));
    });

    it('breaking the module (kfree of the vmalloc node) gives a static warning and a runtime Oops finding', async () => {
      const line = doc.getText().split('\n').findIndex((l) => l.startsWith('vfree(aPerson);'));
      assert.ok(line >= 0, 'the exit function frees the vmalloc node with vfree()');
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, doc.lineAt(line).range, 'kfree(aPerson);');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await until('the free-mismatch warning', () =>
        vscode.languages.getDiagnostics(doc.uri).some((d) => /kfree\(\) frees memory from vmalloc\(\)/.test(d.message)) ? true : undefined,
      );

      await vscode.commands.executeCommand('kmodlab.reloadModule', doc.uri);
      await until('the reloaded module', () => (api.moduleState() === 'live' ? true : undefined));
      await vscode.commands.executeCommand('kmodlab.unloadModule');
      await until('the failed rmmod', () => (api.moduleState() === 'failed' ? true : undefined));
      assert.match(api.kernelLog(), /BUG: unable to handle page fault for address: [0-9a-f]+/);
      assert.match(api.kernelLog(), new RegExp(`cleanup_module \\(test_mem\\.c:${line + 1}\\) test_mem`));
      const oops = await until('the runtime Oops finding', () =>
        vscode.languages.getDiagnostics(doc.uri).find((d) => /BUG: unable to handle page fault/.test(d.message)),
      );
      assert.equal(oops.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(oops.range.start.line, line);
    });
  });
}

// The extension host's entry point for the test-electron suite: runs the mocha files bundled with
// it and reports failures through the returned promise, as @vscode/test-electron expects.

import Mocha from 'mocha';
import { registerExtensionTests } from './extension.test';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000 });
  mocha.suite.emit('pre-require', globalThis, 'extension.test', mocha);
  registerExtensionTests();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}

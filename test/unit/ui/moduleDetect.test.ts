// moduleDetect.ts: which C files get the Load Module button (the `kmodlab.isModule` context key).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { looksLikeModule, stripComments } from '../../../src/ui/moduleDetect';

const CASES: [string, string, boolean][] = [
  ['includes <linux/module.h>', '#include <linux/module.h>\n', true],
  ['includes it with spaces', '  #  include   <linux/module.h>\n', true],
  ['registers an init function', 'static int __init hello_init(void) { return 0; }\nmodule_init(hello_init);\n', true],
  ['defines init_module() (the seed tutorial)', 'int init_module()\n{\n  return 0;\n}\n', true],
  ['a user-space program', '#include <stdio.h>\nint main(void) { return 0; }\n', false],
  ['only declares init_module()', 'extern int init_module(void);\n', false],
  ['mentions module_init in a comment', '/* call module_init(x) later */\nint x;\n', false],
  ['includes module.h only in a line comment', '// #include <linux/module.h>\nint x;\n', false],
  ['includes another linux header', '#include <linux/slab.h>\n', false],
  ['has module_init in a string', 'const char *s = "module_init(";\n', false],
];

describe('ui/moduleDetect', () => {
  for (const [what, text, expected] of CASES) {
    it(`${expected ? 'is' : 'is not'} a module: ${what}`, () => assert.equal(looksLikeModule(text), expected));
  }

  it('strips comments but keeps strings', () => {
    assert.equal(stripComments('a /* b */ c // d\n"//e"'), 'a   c \n"//e"');
  });

  it('recognises the walkthrough example', () => {
    assert.equal(looksLikeModule(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'test_mem.c'), 'utf8')), true);
  });
});

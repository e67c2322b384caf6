// The Kernel Log grammar (syntaxes/kmodlab-dmesg.tmLanguage.json) against a golden token dump: the
// fixture grammar/kernel-log.dmesg holds real emulator output (reports of test/golden/fixtures)
// plus the dmesg -r, dmesg -x and /var/log/messages prefixes; grammar/kernel-log.dmesg.tokens
// lists every scoped token of each line. `UPDATE_GOLDEN=1 npm test` rewrites the dump; review the
// diff. A few assertions pin the scopes the UI depends on, so an accepted dump cannot lose them.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const ROOT = path.join(__dirname, '..', '..', '..');
const GRAMMAR = path.join(ROOT, 'syntaxes', 'kmodlab-dmesg.tmLanguage.json');
const FIXTURE = path.join(__dirname, 'grammar', 'kernel-log.dmesg');
const GOLDEN = `${FIXTURE}.tokens`;
const SCOPE = 'text.log.kmodlab-dmesg';

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scopeName) => (scopeName === SCOPE ? textmate.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null),
  });
  const g = await registry.loadGrammar(SCOPE);
  if (!g) throw new Error('grammar did not load');
  return g;
}

/** Each line, then `  'token' scope scope` for every token with a scope below the root. */
function dump(grammar: textmate.IGrammar, text: string): string {
  const out: string[] = [];
  let state = textmate.INITIAL;
  for (const line of text.split('\n')) {
    if (!line) continue;
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    out.push(line);
    for (const t of r.tokens) {
      const scopes = t.scopes.filter((s) => s !== SCOPE);
      if (scopes.length) out.push(`  ${JSON.stringify(line.slice(t.startIndex, t.endIndex))} ${scopes.join(' ')}`);
    }
  }
  return `${out.join('\n')}\n`;
}

describe('ui/grammar: Kernel Log (kmodlab-dmesg)', function () {
  this.timeout(30000);
  let grammar: textmate.IGrammar;
  before(async () => {
    grammar = await loadGrammar();
  });

  /** The scopes of the token that covers `needle` in `line`. */
  const scopesOf = (line: string, needle: string) => {
    const { tokens } = grammar.tokenizeLine(line, textmate.INITIAL);
    const at = line.indexOf(needle);
    return tokens.find((t) => t.startIndex <= at && at < t.endIndex)!.scopes.join(' ');
  };

  it('matches the golden token dump', () => {
    const actual = dump(grammar, fs.readFileSync(FIXTURE, 'utf8'));
    if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(GOLDEN)) fs.writeFileSync(GOLDEN, actual);
    assert.equal(actual, fs.readFileSync(GOLDEN, 'utf8'));
  });

  it('scopes timestamps, headlines, frames, addresses and source positions', () => {
    assert.match(scopesOf('[    2.331620] Person: roman1', '[ '), /comment\.timestamp/);
    assert.match(scopesOf('[    2.353460] BUG: unable to handle page fault for address: ffffeb0200001348', 'page fault'), /string\.regexp strong headline\.error/);
    assert.match(scopesOf('[    2.353220] BUG: KASAN: use-after-free in cleanup_module+0x10b/0x290 [x]', 'KASAN'), /headline\.error/);
    assert.match(scopesOf('[    2.353460] Oops: 0000 [#1] PREEMPT SMP NOPTI', 'Oops'), /headline\.error/);
    assert.match(scopesOf('[    2.4] WARNING: CPU: 0 PID: 94 at mm/vmalloc.c:330 vfree+0x2b/0x40', 'WARNING'), /markup\.deleted headline\.warning/);
    const frame = '[    2.353220]  cleanup_module (use_after_free.c:57) use_after_free';
    assert.match(scopesOf(frame, 'cleanup_module'), /entity\.name\.function\.frame/);
    assert.match(scopesOf(frame, 'use_after_free.c'), /markup\.underline\.link\.filename/);
    assert.match(scopesOf(frame, '57'), /constant\.numeric\.line/);
    assert.match(scopesOf('[    2.3]  do_syscall_64+0x5d/0xb0', '+0x5d'), /constant\.numeric\.hex\.offset/);
    assert.match(scopesOf('[    2.3] RAX: ffffffffffffffda RBX: 000055d5d88724c0', 'ffffffffffffffda'), /constant\.numeric\.hex/);
    assert.match(scopesOf('[    2.3] Call Trace:', 'Call'), /keyword\.control\.trace/);
    assert.match(scopesOf('kern  :err   : [    2.3] x', 'kern'), /level\.error/);
    assert.match(scopesOf('<3>[    2.3] x', '3'), /constant\.numeric\.level/);
  });
});

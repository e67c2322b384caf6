// Nothing is eval'd (DESIGN invariant 8): no source file under src/ and no built bundle under dist/
// calls `eval`, `Function` (as `new Function(...)` or `Function(...)`), or a dynamic `import()`.
// The files are parsed with the TypeScript compiler, so a method named `eval` (the analyzer's
// `this.eval(e)`), a type-level `import('./x').T` or a comment does not count; `globalThis.eval`
// and friends do. An exception must be listed below with the reason it is safe.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');

/** Justified exceptions: `file` (relative to the root) → the reason. None today. */
const ALLOWED: Readonly<Record<string, string>> = {};

/** Every `.ts` file under src/ and every `.js` bundle under dist/ (built by `npm test` first). */
function filesToScan(): string[] {
  const out: string[] = [];
  const walk = (dir: string, ext: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, ext);
      else if (e.name.endsWith(ext)) out.push(p);
    }
  };
  walk(path.join(ROOT, 'src'), '.ts');
  walk(path.join(ROOT, 'dist'), '.js');
  return out.sort();
}

const GLOBALS = new Set(['globalThis', 'window', 'self', 'global']);

/** `eval`, `Function`, or `globalThis.eval` / `window.Function` as the callee. */
function isEvalLike(callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) return callee.text === 'eval' || callee.text === 'Function';
  if (ts.isParenthesizedExpression(callee)) return isEvalLike(callee.expression);
  // `(0, eval)(code)`: the indirect eval idiom.
  if (ts.isBinaryExpression(callee) && callee.operatorToken.kind === ts.SyntaxKind.CommaToken) return isEvalLike(callee.right);
  return (
    (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && GLOBALS.has(callee.expression.text) && (callee.name.text === 'eval' || callee.name.text === 'Function')) ||
    (ts.isElementAccessExpression(callee) && ts.isIdentifier(callee.expression) && GLOBALS.has(callee.expression.text))
  );
}

/** `line:col: what` for each use of eval, Function or dynamic import in `file`. */
export function evalUses(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const found: string[] = [];
  const at = (n: ts.Node, what: string) => {
    const p = sf.getLineAndCharacterOfPosition(n.getStart(sf));
    found.push(`${p.line + 1}:${p.character + 1}: ${what}`);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) at(n, 'dynamic import()');
    else if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && isEvalLike(n.expression)) at(n, n.expression.getText(sf));
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe('security: nothing is eval\'d', () => {
  it('the scanner finds each form it looks for', () => {
    const src = 'eval(s); new Function("a", s); Function(s)(); (0, eval)(s); globalThis.eval(s); window["eval"](s); import(s);\nthis.eval(e); type T = import("./x").T; // eval(s)';
    assert.deepEqual(evalUses('x.ts', src).map((u) => u.replace(/^\d+:\d+: /, '')), ['eval', 'Function', 'Function', '(0, eval)', 'globalThis.eval', 'window["eval"]', 'dynamic import()']);
  });

  it('src/ and the dist/ bundles have no eval, Function or dynamic import', function () {
    this.timeout(120_000);
    const files = filesToScan();
    assert.ok(files.some((f) => f.endsWith('.ts')), 'scans src/');
    const uses: string[] = [];
    for (const f of files) {
      const rel = path.relative(ROOT, f).split(path.sep).join('/');
      if (rel in ALLOWED) continue;
      for (const u of evalUses(rel, fs.readFileSync(f, 'utf8'))) uses.push(`${rel}:${u}`);
    }
    assert.deepEqual(uses, []);
  });
});

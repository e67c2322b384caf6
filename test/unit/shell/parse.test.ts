// The shell parser (src/core/shell/parse.ts): words and quoting as bash splits them, redirections,
// pipelines, `;`/`&&`/`||`, comments, and bash's messages for syntax errors.

import { strict as assert } from 'node:assert';
import { parseShell } from '../../../src/core/shell/parse';
import type { AndOr, Word } from '../../../src/core/shell/parse';

/** A word as text, parameters written back as `${name}`, patterns as `<*>`. */
const w = (word: Word): string => word.map((p) => (typeof p === 'string' ? p : 'param' in p ? `\${${p.param}}` : `<${p.glob}>`)).join('');

/** A parsed script in a compact form: `[argv] >file` per command, `|` between, `&&`/`||`, `;` between lists. */
function show(text: string): string {
  const r = parseShell(text);
  if (!r.ok) return `error: ${r.error}`;
  const pipeline = (p: AndOr['first']): string =>
    p.commands
      .map((c) => [`[${c.words.map(w).join(',')}]`, ...c.redirects.map((x) => `${x.fd}${x.op}${w(x.target)}`)].join(' '))
      .join(' | ');
  return r.script.map((a) => [pipeline(a.first), ...a.rest.map((x) => `${x.op} ${pipeline(x.pipeline)}`)].join(' ')).join(' ; ');
}

describe('shell parser', () => {
  const cases: [string, string][] = [
    ['insmod hello.ko', '[insmod,hello.ko]'],
    ['  ls   -l  /proc ', '[ls,-l,/proc]'],
    [`insmod h.ko mystring='"hi there"'`, '[insmod,h.ko,mystring="hi there"]'],
    [`echo "a  b" 'c  d' e\\ f`, '[echo,a  b,c  d,e f]'],
    [`echo "say \\"hi\\" \\$x"`, '[echo,say "hi" $x]'],
    [`echo ''`, '[echo,]'],
    ['echo $? "$?" \'$?\'', '[echo,${?},${?},$?]'],
    ['echo ${HOME}/x $', '[echo,${HOME}/x,$]'],
    ['echo hi > /proc/x', '[echo,hi] 1>/proc/x'],
    ['echo hi >>/tmp/log', '[echo,hi] 1>>/tmp/log'],
    ['cat < /proc/version', '[cat] 0</proc/version'],
    ['cat /nope 2>/dev/null', '[cat,/nope] 2>/dev/null'],
    ['dmesg | tail -n 2', '[dmesg] | [tail,-n,2]'],
    ['insmod a.ko && lsmod || echo failed', '[insmod,a.ko] && [lsmod] || [echo,failed]'],
    ['insmod a.ko; rmmod a', '[insmod,a.ko] ; [rmmod,a]'],
    ['lsmod; ', '[lsmod]'],
    ['# only a comment', ''],
    ['lsmod # list them', '[lsmod]'],
    ['echo a#b', '[echo,a#b]'],
    [`cat /sys/*/x? '*' "a*"`, '[cat,/sys/<*>/x<?>,*,a*]'],
    ['echo 1\necho 2', '[echo,1] ; [echo,2]'],
    ['; lsmod', "error: syntax error near unexpected token `;'"],
    ['lsmod | ', "error: syntax error near unexpected token `newline'"],
    ['echo >', "error: syntax error near unexpected token `newline'"],
    ['lsmod && && lsmod', "error: syntax error near unexpected token `&&'"],
    ['echo "open', 'error: unexpected EOF while looking for matching `"\''],
    ["echo 'open", "error: unexpected EOF while looking for matching `''"],
  ];
  for (const [text, want] of cases) it(JSON.stringify(text), () => assert.equal(show(text), want));
});

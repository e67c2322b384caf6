// End-to-end test harness: runs the real VS Code workbench (code-server 4.100.3 = VS Code 1.100.3)
// and drives it with Debian's Chromium through playwright-core. Adapted from shared/e2e/harness.mjs;
// code-server and playwright-core live in test/e2e/node_modules (installed by test/e2e/setup.sh).
// Every wait is on UI state (a locator, or polling a condition), never a fixed sleep.
//
//   const vsc = await VSCode.start({ vsix, folder });
//   await vsc.openFile('main.c'); ...
//   await vsc.shutdown();            // always kills code-server + browser
//
// Environment:
//   CHROMIUM_PATH   browser binary (default /usr/bin/chromium)
//   E2E_ARTIFACTS   screenshot/log folder (default <project>/test-results)
//   E2E_KEEP_TMP=1  keep the temporary code-server folders for debugging
//   E2E_HEADED=1    show the browser window (needs a display)
/* global fetch, URLSearchParams */ // Node 20 globals the lint config does not list.
import { spawn, execFile } from 'node:child_process';
import { promisify, format } from 'node:util';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const execFileP = promisify(execFile);

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const CODE_SERVER_BIN = path.join(E2E_DIR, 'node_modules', '.bin', 'code-server');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.resolve(process.env.E2E_ARTIFACTS || path.join(PROJECT_ROOT, 'test-results'));

const isMac = process.platform === 'darwin';
const MOD = isMac ? 'Meta' : 'Control';

// User settings that keep the workbench quiet and deterministic.
export const DEFAULT_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'files.autoSave': 'off',
  'editor.minimap.enabled': false,
  'editor.codeLens': true,
  'editor.lightbulb.enabled': 'on',
  'workbench.editor.enablePreview': false,
  'window.commandCenter': false,
};

// Processes started by any harness instance; killed on exit no matter what.
const liveGroups = new Set();
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal); // negative pid = the whole process group we created
  } catch {
    /* already gone */
  }
}
process.on('exit', () => {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
    process.exit(130);
  });
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `fn` until it returns a truthy value. For non-DOM conditions only. */
export async function waitUntil(fn, { timeout = 30000, interval = 100, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`Timed out after ${timeout} ms waiting for ${message}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

function cleanEnv(extra) {
  const env = { ...process.env };
  // Inside a VS Code terminal these would make the CLI talk to *that* instance.
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_')) delete env[k];
  return { ...env, ...extra };
}

export class VSCode {
  /**
   * Starts code-server and Chromium and opens `folder` in the workbench.
   * @param {object} o
   * @param {string} [o.folder]   folder to open (absolute)
   * @param {string} [o.vsix]     .vsix installed before the server starts
   * @param {object} [o.settings] extra user settings
   * @param {object} [o.env]      extra environment for code-server (and so the extension host)
   * @param {object|function} [o.query] extra workbench URL query, or (vsc) => query
   * @param {(page) => Promise<void>} [o.beforeOpen] hook to run before the workbench loads
   * @param {boolean} [o.waitForWorkbench=true]
   */
  static async start(o = {}) {
    const vsc = new VSCode();
    try {
      await vsc._start(o);
    } catch (e) {
      await vsc.screenshot('startup-failure').catch(() => {});
      await vsc.shutdown();
      throw e;
    }
    return vsc;
  }

  async _start({ folder, vsix, settings = {}, query = {}, env = {}, beforeOpen, waitForWorkbench = true, name = 'vscode' }) {
    this.name = name;
    this.tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'code-server-e2e-'));
    const d = (p) => path.join(this.tmp, p);
    this.userDataDir = d('user-data');
    this.extensionsDir = d('extensions');
    for (const p of ['user-data/User', 'extensions', 'xdg/config', 'xdg/data', 'xdg/cache']) {
      await fsp.mkdir(d(p), { recursive: true });
    }
    await fsp.writeFile(d('user-data/User/settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    await fsp.writeFile(d('config.yaml'), `bind-addr: 127.0.0.1:${this.port}\nauth: none\ncert: false\n`);
    this.env = cleanEnv({
      EXTENSIONS_GALLERY: '{}', // no marketplace
      XDG_CONFIG_HOME: d('xdg/config'),
      XDG_DATA_HOME: d('xdg/data'),
      XDG_CACHE_HOME: d('xdg/cache'),
      ...env, // the extension host inherits the server's environment
    });
    this.baseArgs = ['--config', d('config.yaml'), '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir];

    if (vsix) await this.installExtension(vsix);

    // --- code-server
    this.serverLog = fs.createWriteStream(d('code-server.log'));
    this.server = spawn(
      CODE_SERVER_BIN,
      [
        ...this.baseArgs,
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${this.port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        '--log', 'info',
      ],
      { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    liveGroups.add(this.server.pid);
    this.server.stdout.pipe(this.serverLog);
    this.server.stderr.pipe(this.serverLog);
    this.serverExited = new Promise((r) => this.server.once('exit', (code) => r(code)));
    await waitUntil(
      async () => {
        if (this.server.exitCode !== null) throw new Error(`code-server exited (${this.server.exitCode}), see ${d('code-server.log')}`);
        const res = await fetch(`${this.url}/healthz`);
        return res.ok;
      },
      { timeout: 60000, interval: 200, message: 'code-server /healthz' },
    );

    // --- browser
    this.browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: !process.env.E2E_HEADED,
      // Keeps Chromium's crash-report folder etc. out of the home folder.
      env: { ...process.env, XDG_CONFIG_HOME: this.env.XDG_CONFIG_HOME, XDG_CACHE_HOME: this.env.XDG_CACHE_HOME },
      args: [
        '--no-sandbox', // running as root in containers
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-features=Translate,MediaRouter,OptimizationHints',
        // Everything except the local server resolves to NOTFOUND: no outside traffic, fast failures.
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
    this.context = await this.browser.newContext({
      viewport: { width: 1440, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    this.page = await this.context.newPage();
    // Browser console, including the extension host's console.* output, which
    // the workbench forwards as printf-style messages ("%d passing (%s)", 6, "1s").
    this.consoleLines = [];
    this.page.on('console', (m) => this.consoleLines.push(formatConsoleMessage(m)));
    this.page.on('pageerror', (e) => this.consoleLines.push(`[pageerror] ${e.message}`));
    if (beforeOpen) await beforeOpen(this.page);

    const q = new URLSearchParams();
    if (folder) q.set('folder', folder);
    for (const [k, v] of Object.entries(typeof query === 'function' ? query(this) : query)) q.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    await this.page.goto(`${this.url}/?${q}`);
    if (waitForWorkbench) await this.waitForWorkbench();
  }

  /** Installs a .vsix into this instance's extensions dir (server must use the same dirs). */
  async installExtension(vsix) {
    const { stdout } = await execFileP(CODE_SERVER_BIN, [...this.baseArgs, '--install-extension', path.resolve(vsix), '--force'], {
      env: this.env,
    });
    if (!/successfully installed/i.test(stdout)) throw new Error(`extension install failed:\n${stdout}`);
    return stdout.trim();
  }

  async waitForWorkbench() {
    const p = this.page;
    await p.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60000 });
    // Status bar and explorer are rendered once the workbench restored its layout.
    await p.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60000 });
    await p.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60000 }).catch(() => {});
  }

  // ---------------------------------------------------------------- basics

  /** Presses a chord; use "Mod" for Ctrl (Cmd on macOS). */
  async press(keys) {
    await this.page.keyboard.press(keys.replaceAll('Mod', MOD));
  }

  /** Closes any open quick input / widget. */
  async escape() {
    await this.page.keyboard.press('Escape');
  }

  quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  /**
   * Runs a command through the command palette by its label, e.g.
   * "Sample: Say Hello". Waits until the palette lists exactly that label.
   */
  async runCommand(label) {
    const p = this.page;
    await this.press('F1');
    const input = this.quickInput().locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${label}`);
    const row = this.quickInput()
      .locator('.monaco-list-row')
      .filter({ has: p.locator('.label-name', { hasText: new RegExp(`^${escapeRe(label)}$`) }) })
      .first();
    await row.waitFor({ state: 'visible' });
    await row.click();
    // Done when the palette closed or was replaced by the command's own quick pick.
    await waitUntil(async () => !(await this.quickInput().isVisible()) || (await input.inputValue()) !== `>${label}`, {
      timeout: 10000,
      message: `command palette to accept "${label}"`,
    });
  }

  /** Opens a workspace file through Quick Open and waits for its editor. */
  async openFile(relPath) {
    const p = this.page;
    const base = path.basename(relPath);
    await this.press('Mod+P');
    const input = this.quickInput().locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(relPath);
    const row = this.quickInput()
      .locator('.monaco-list-row')
      .filter({ has: p.locator('.label-name', { hasText: base }) })
      .first();
    await row.waitFor({ state: 'visible' });
    await p.keyboard.press('Enter');
    await this.activeTab(base).waitFor({ state: 'visible' });
    await this.activeEditor().locator('.view-lines .view-line').first().waitFor({ state: 'visible' });
  }

  activeTab(label) {
    return this.page.locator('.tabs-container .tab.active', { hasText: label });
  }

  /** The text editor in the active editor group. */
  activeEditor() {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  /**
   * Reads the visible text of a Monaco editor. Monaco only renders the lines in
   * the viewport and does not keep `.view-line` nodes in document order, so the
   * lines are sorted by their `top` offset; non-breaking spaces become spaces.
   */
  async readEditorText(editor = this.activeEditor()) {
    return editor.locator('.view-lines').evaluate((el) =>
      [...el.querySelectorAll(':scope > .view-line')]
        .map((l) => ({ top: parseFloat(l.style.top) || 0, text: l.textContent.replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text)
        .join('\n'),
    );
  }

  /** Moves the cursor with "Go to Line/Column" (`line:column`, 1-based). */
  async goToLine(line, column = 1) {
    await this.press('Mod+G');
    const input = this.quickInput().locator('input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.quickInput().waitFor({ state: 'hidden' });
    await this.page
      .locator('.statusbar-item[id="status.editor.selection"]')
      .filter({ hasText: `Ln ${line}, Col ${column}` })
      .waitFor();
  }

  // ---------------------------------------------------------------- extension UI

  /** Whether a status bar entry with this text is shown now. */
  async hasStatusBarItem(text) {
    return this.page.locator('.part.statusbar .statusbar-item', { hasText: text }).first().isVisible();
  }

  /** Waits until a status bar entry with this text is shown (used as "extension is active"). */
  async waitForStatusBarItem(text, timeout = 30000) {
    await this.page.locator('.part.statusbar .statusbar-item', { hasText: text }).first().waitFor({ state: 'visible', timeout });
  }

  /**
   * Total number of problems from the status bar entry (id "status.problems",
   * aria-label "Errors: 2, Warnings: 1" or "No Problems"). Unlike the rows of the
   * Problems tree this is not affected by list virtualization.
   */
  async problemCount() {
    const label = await this.page.locator('.statusbar-item[id="status.problems"]').getAttribute('aria-label');
    return (label?.match(/\d+/g) ?? []).reduce((a, n) => a + Number(n), 0);
  }

  /**
   * Opens the Problems panel, waits until exactly `count` problems are reported
   * and returns the aria-labels of the problem rows, e.g.
   * "Error: 'gets' is unsafe; use 'fgets' instead at line 7 and character 5. generated by sample-ext".
   */
  async waitForProblems(count, timeout = 30000) {
    const view = this.page.locator('.markers-panel');
    if (!(await view.isVisible())) await this.runCommand('Problems: Focus on Problems View');
    await view.waitFor({ state: 'visible' });
    // File rows read "3 problems in file main.c of folder ."; problem rows start with the severity.
    const labels = () => view.locator('.monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    const problemRows = async () => (await labels()).filter((l) => /^(Error|Warning|Info):/.test(l));
    const treeTotal = async () =>
      (await labels()).reduce((a, l) => a + Number(/^(\d+) problems? in file/.exec(l)?.[1] ?? 0), 0);
    await waitUntil(async () => (await this.problemCount()) === count && (await treeTotal()) === count, {
      timeout,
      message: `${count} problems (status bar says ${await this.problemCount().catch(() => '?')})`,
    });
    return problemRows();
  }

  /** The CodeLens (a link inside `.codelens-decoration`) whose title contains `text`. */
  codeLens(text) {
    return this.activeEditor().locator('.codelens-decoration a', { hasText: text }).first();
  }

  /** Waits until the active editor shows the CodeLens; see README (CodeLens pitfall). */
  async waitForCodeLens(text, timeout = 30000) {
    await this.codeLens(text).waitFor({ state: 'visible', timeout });
  }

  /** Clicks the CodeLens whose title contains `text` in the active editor. */
  async clickCodeLens(text) {
    const lens = this.codeLens(text);
    await lens.waitFor({ state: 'visible' });
    await lens.click();
  }

  /**
   * Clicks a CodeLens until `done()` holds. Monaco re-renders the lenses of the viewport shortly
   * after a scroll (to resolve them), and a click that lands while the link is being replaced is
   * lost; the effect of the click, not a delay, decides whether to click again.
   */
  async clickCodeLensUntil(text, done, { attempts = 4, timeout = 5000 } = {}) {
    for (let i = 1; ; i++) {
      await this.clickCodeLens(text);
      try {
        return await waitUntil(done, { timeout, message: `the effect of clicking the "${text}" CodeLens` });
      } catch (e) {
        if (i >= attempts) throw e;
      }
    }
  }

  /**
   * Shows an output channel via "Output: Show Output Channels..." and returns its visible text.
   * With `filter`, the output view's filter box first narrows the channel to the matching lines
   * (the view scrolls to the end, so lines in the middle of a long log are not rendered otherwise).
   */
  async readOutputChannel(name, { contains, filter } = {}) {
    const p = this.page;
    await this.runCommand('Output: Show Output Channels...');
    const row = this.quickInput()
      .locator('.monaco-list-row')
      .filter({ has: p.locator('.label-name', { hasText: new RegExp(`^${escapeRe(name)}$`) }) })
      .first();
    await row.waitFor({ state: 'visible' });
    await row.click();
    const editor = p.locator('.part.panel .output-view .monaco-editor').first();
    await editor.locator('.view-lines .view-line').first().waitFor();
    const filterBox = p.locator('.part.panel .viewpane-filter input, .part.panel input[placeholder^="Filter"]').first();
    if (filter !== undefined || ((await filterBox.isVisible()) && (await filterBox.inputValue()))) {
      await filterBox.fill(filter ?? '');
    }
    if (contains) {
      await waitUntil(async () => (await this.readEditorText(editor)).includes(contains), {
        message: `output channel "${name}" to contain "${contains}"`,
      });
    }
    return this.readEditorText(editor);
  }

  /**
   * Opens the quick fix menu at the cursor (Ctrl+.) and applies the action
   * with the given title. Put the cursor on the problem first (goToLine).
   * The menu is driven with the keyboard: while it is
   * open an overlay (.context-view-pointerBlock) swallows mouse clicks.
   */
  async applyQuickFix(title) {
    const p = this.page;
    await this.press('Mod+.');
    const menu = p.locator('.action-widget');
    await menu.waitFor({ state: 'visible' });
    const wanted = menu.locator('.monaco-list-row.action', { hasText: title }).first();
    await wanted.waitFor({ state: 'visible' });
    const rows = await menu.locator('.monaco-list-row.action').count();
    for (let i = 0; i <= rows && !(await wanted.evaluate((e) => e.classList.contains('focused'))); i++) {
      await p.keyboard.press('ArrowDown');
    }
    await p.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden' });
  }

  /**
   * The inner document of the last visible webview. Webviews are two nested
   * iframes: the host frame (iframe.webview.ready) and the content (#active-frame).
   */
  webviewFrame() {
    return this.page.locator('iframe.webview.ready').last().contentFrame().locator('#active-frame').contentFrame();
  }

  /**
   * Opens the Problems panel and waits until `predicate(rowLabels)` holds for the aria-labels of
   * the problem rows ("Warning: <message> at line 21 and character 1. generated by kmodlab").
   */
  async waitForProblemRows(predicate, { timeout = 60000, message = 'problem rows' } = {}) {
    const view = this.page.locator('.markers-panel');
    if (!(await view.isVisible())) await this.runCommand('Problems: Focus on Problems View');
    await view.waitFor({ state: 'visible' });
    const rows = async () =>
      (await view.locator('.monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))).filter((l) =>
        /^(Error|Warning|Info):/.test(l),
      );
    let last = [];
    await waitUntil(
      async () => {
        last = await rows();
        return predicate(last);
      },
      { timeout, message: `${message} (rows now: ${JSON.stringify(last)})` },
    );
    return last;
  }

  /** Shows the hover at the cursor (Ctrl+K Ctrl+I) and waits for it to contain `text`. */
  async hoverAtCursor(text) {
    await this.press('Mod+K');
    await this.press('Mod+I');
    const hover = this.page.locator('.monaco-hover:not(.hidden)', { hasText: text }).first();
    await hover.waitFor({ state: 'visible' });
    return hover.innerText();
  }

  async screenshot(name) {
    if (!this.page) return undefined;
    await fsp.mkdir(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** The browser console so far, one message per line. */
  async consoleText() {
    return (await Promise.all(this.consoleLines)).join('\n');
  }

  // ---------------------------------------------------------------- teardown

  /** Closes the browser and kills the code-server process group. Safe to call twice. */
  async shutdown() {
    if (this._shutdown) return this._shutdown;
    this._shutdown = (async () => {
      if (this.consoleLines?.length) {
        await fsp.mkdir(ARTIFACTS_DIR, { recursive: true });
        await fsp.writeFile(path.join(ARTIFACTS_DIR, `${this.name}-console.log`), await this.consoleText());
      }
      await this.browser?.close().catch(() => {});
      if (this.server && this.server.exitCode === null) {
        killGroup(this.server.pid, 'SIGTERM');
        const t = setTimeout(() => killGroup(this.server.pid, 'SIGKILL'), 5000);
        await this.serverExited;
        clearTimeout(t);
        // Children (extension host, pty host, watcher) share the group.
        killGroup(this.server.pid, 'SIGKILL');
      }
      if (this.server) liveGroups.delete(this.server.pid);
      this.serverLog?.end();
      if (this.tmp) {
        if (ARTIFACTS_DIR && fs.existsSync(path.join(this.tmp, 'code-server.log'))) {
          await fsp.mkdir(ARTIFACTS_DIR, { recursive: true });
          await fsp.copyFile(path.join(this.tmp, 'code-server.log'), path.join(ARTIFACTS_DIR, `${this.name}-code-server.log`)).catch(() => {});
        }
        if (!process.env.E2E_KEEP_TMP) await fsp.rm(this.tmp, { recursive: true, force: true }).catch(() => {});
      }
    })();
    return this._shutdown;
  }
}

/**
 * Starts VS Code with the packaged kmodlab.vsix on a temporary folder holding a copy of
 * examples/test_mem.c (tests may edit it). `close()` shuts VS Code down and removes the folder.
 */
export async function startOnExample(name) {
  const vsix = path.join(PROJECT_ROOT, 'kmodlab.vsix');
  await fsp.access(vsix).catch(() => {
    throw new Error(`${vsix} not found: run "npm run package" first`);
  });
  const folder = await fsp.mkdtemp(path.join(os.tmpdir(), `${name}-`));
  await fsp.copyFile(path.join(PROJECT_ROOT, 'examples', 'test_mem.c'), path.join(folder, 'test_mem.c'));
  const vsc = await VSCode.start({ name, vsix, folder });
  const close = async () => {
    await vsc.shutdown();
    await fsp.rm(folder, { recursive: true, force: true });
  };
  return { vsc, close };
}

/**
 * Runs the mocha suite at `extensionTestsPath` inside the extension host of a
 * fresh code-server, like @vscode/test-electron does with a desktop VS Code.
 * The extension is loaded from `extensionDevelopmentPath` (no .vsix needed).
 * Resolves with { exitCode, passing, failing, output }.
 */
export async function runExtensionHostTests({ extensionDevelopmentPath, extensionTestsPath, folder, env, timeout = 180000 }) {
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  const vsc = await VSCode.start({
    name: 'exthost',
    folder,
    env,
    waitForWorkbench: false,
    // Must be in place before the workbench loads: the workbench calls
    // window.codeAutomationExit(code, logs) when the test runner finishes.
    beforeOpen: (page) => page.exposeFunction('codeAutomationExit', (code) => resolveExit(code)),
    // The paths live on the server, hence vscode-remote://<host:port>/<abs path>.
    query: (v) => ({
      payload: [
        ['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${v.port}${path.resolve(extensionDevelopmentPath)}`],
        ['extensionTestsPath', `vscode-remote://127.0.0.1:${v.port}${path.resolve(extensionTestsPath)}`],
      ],
    }),
  });
  let timer;
  try {
    const exitCode = await Promise.race([
      exited,
      new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`extension host tests did not finish in ${timeout} ms`)), timeout))),
    ]);
    // Extension host console output is forwarded to the page console.
    const output = await vsc.consoleText();
    const num = (re) => Number(re.exec(output)?.[1] ?? 0);
    return { exitCode, passing: num(/(\d+) passing/), failing: num(/(\d+) failing/), output };
  } catch (e) {
    await vsc.screenshot('exthost-failure').catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
    await vsc.shutdown();
  }
}

async function formatConsoleMessage(m) {
  try {
    let args = await Promise.all(m.args().map((a) => a.jsonValue()));
    // Workbench log lines are prefixed with ("%c INFO", "color: ...").
    if (typeof args[0] === 'string' && /^%c\s*\w+$/.test(args[0])) args = args.slice(2);
    return args.length ? format(...args) : m.text();
  } catch {
    return m.text();
  }
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

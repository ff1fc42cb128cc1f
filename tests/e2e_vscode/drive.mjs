// Drives VS Code (code-server) in Debian's Chromium through playwright-core, for test_vscode.py.
//
//   node drive.mjs '<json config>'
//
// Config: { url, chromium, playwrightCore, outDir, file, suggest: {line, column},
//           sorry: {line, column}, endless: {line, column}, ghost: {line, column}, configPath, brokenConfig,
//           timeoutMs, stepTimeoutMs }  (lines, columns 1-based)
// Writes JSON lines to stdout: {"event": "step", "name", "t"} as it goes, then one
// {"event": "result", "ok": true, ...} or {"event": "result", "ok": false, "error", ...}.
// Screenshots go to outDir: suggestions.png, panel.png, ghost.png, proved.png, error.png (and failure.png
// on an error).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const config = JSON.parse(process.argv[2]);
const { chromium } = createRequire(import.meta.url)(config.playwrightCore);
const t0 = Date.now();
const emit = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const step = (name, extra = {}) => emit({ event: 'step', name, t: (Date.now() - t0) / 1000, ...extra });
const STEP_MS = config.stepTimeoutMs ?? 60000;

let browser;
let page;

/** The editor's text, line by line, from the rendered view lines placed by their line numbers
 *  (a line scrolled out of view reads as empty), without ghost text (inline suggestions). */
async function editorText() {
    return page.evaluate(() => {
        const editor = document.querySelector('.editor-instance .monaco-editor');
        const view = editor?.querySelector('.view-lines');
        if (!editor || !view) return null;
        const numberAt = new Map();
        for (const n of editor.querySelectorAll('.margin-view-overlays .line-numbers')) {
            const top = parseFloat(n.parentElement?.style.top || 'NaN');
            if (!Number.isNaN(top)) numberAt.set(top, parseInt(n.textContent.trim(), 10));
        }
        const lines = [];
        for (const el of view.querySelectorAll(':scope > .view-line')) {
            const number = numberAt.get(parseFloat(el.style.top || '0'));
            if (number === undefined) continue;
            const copy = el.cloneNode(true);
            for (const ghost of copy.querySelectorAll('[class*="ghost-text"]')) ghost.remove();
            lines[number - 1] = copy.textContent.replace(/\u00a0/g, ' ');
        }
        return Array.from(lines, (l) => l ?? '').join('\n');
    });
}

async function waitForText(predicate, what, timeoutMs = STEP_MS) {
    const deadline = Date.now() + timeoutMs;
    let text = null;
    while (Date.now() < deadline) {
        text = await editorText();
        if (text !== null && predicate(text)) return text;
        await page.waitForTimeout(200);
    }
    throw new Error(`timed out waiting for ${what}; editor text:\n${text}`);
}

/** Notifications currently shown (toasts), as text. */
async function notifications() {
    return page.evaluate(() =>
        [...document.querySelectorAll('.notifications-toasts .notification-list-item')].map((n) =>
            n.textContent.trim(),
        ),
    );
}

/** Waits until no notification toast shows `text` (progress notifications linger a moment). */
async function toastGone(text) {
    const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: text });
    await toast.first().waitFor({ state: 'detached', timeout: STEP_MS });
}

/** The leanstep panel's page (a webview: an iframe holding the active frame). */
function panel() {
    return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** The panel's text once `predicate` holds for it. */
async function waitForPanel(predicate, what, timeoutMs = STEP_MS) {
    const deadline = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < deadline) {
        text = await panel()
            .locator('#root')
            .innerText({ timeout: 1000 })
            .catch(() => '');
        if (predicate(text)) return text;
        await page.waitForTimeout(200);
    }
    throw new Error(`timed out waiting for ${what}; panel text:\n${text}`);
}

/** Runs a command from the command palette (F1) by its full title. */
async function runCommand(title) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: STEP_MS });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: STEP_MS });
    await row.click();
    await page.mouse.move(600, 700); // off the quick input, or its tooltip shows in screenshots
}

/** Puts the cursor at a 1-based line and column with Go to Line (F1, `:line:column`). */
async function goTo({ line, column }) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: STEP_MS });
    await input.fill(`:${line}:${column}`);
    await page.waitForTimeout(300);
    await input.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });
    const status = page.locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` });
    await status.waitFor({ state: 'visible', timeout: STEP_MS });
}

/** Keyboard focus back in the editor (after a click in the panel, the panel has it). */
async function focusEditor() {
    await runCommand('View: Focus First Editor Group');
    await page.locator('.editor-instance .monaco-editor.focused').first().waitFor({ state: 'visible' });
}

async function shot(name) {
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(config.outDir, name), animations: 'disabled' });
}

async function main() {
    browser = await chromium.launch({
        executablePath: config.chromium,
        headless: true,
        // (playwright gives the browser a fresh profile in a temporary folder of its own)
        args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--disable-dev-shm-usage',
        ],
        timeout: STEP_MS,
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 760 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    step('browser');

    await page.goto(config.url, { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
    step('workbench');

    const entry = page.locator('.explorer-folders-view .monaco-list-row', { hasText: config.file }).first();
    await entry.waitFor({ state: 'visible' });
    await entry.click();
    await waitForText((t) => t.includes('theorem'), 'the file in the editor');
    step('opened');

    // The extension activates on the lean4 language and starts the server: wait until it is ready.
    const ready = page.locator('.statusbar-item:has(.codicon-check)', { hasText: 'leanstep' });
    await ready.waitFor({ state: 'visible' });
    step('server ready');
    await runCommand('View: Close Primary Side Bar'); // (room for the editor and the panel)

    // Suggest tactics at the end of `intro hp`: the goal after it, in the panel beside the editor.
    await goTo(config.suggest);
    await runCommand('leanstep: Suggest tactics');
    const suggestText = await waitForPanel((t) => t.includes('exact hqr (hpq hp)') && t.includes('Rejected by Lean'), 'suggestions in the panel');
    const suggestions = (await panel().locator('button.suggestion').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
    await shot('suggestions.png');
    step('suggestions', { suggestions });
    // Insert the first (best checked) suggestion with a click in the panel.
    await panel().locator('button.suggestion').first().click();
    const afterSuggest = await waitForText(
        (t) => (t.split('\n')[config.suggest.line] ?? '').trim() !== '',
        'the suggestion in the editor',
    );
    await focusEditor();
    step('suggestion inserted');

    // A search that runs until cancelled: its progress and best path in the panel, then Cancel.
    await goTo(config.endless);
    await runCommand('leanstep: Prove this sorry');
    const running = await waitForPanel((t) => /\d+\/\d+ expansions/.test(t) && t.includes('have h4'), 'the running search');
    await shot('panel.png');
    step('search running', { running });
    await panel().locator('button[data-action="cancel"]').click();
    const cancelled = await waitForPanel((t) => /cancelled/i.test(t), 'the cancelled search');
    await focusEditor();
    await toastGone('searching for a proof');
    const afterCancel = await editorText();
    step('search cancelled');

    // Ghost text: Enter after `:= by` gives the next tactic indented to the block, marked ✓ in the
    // status bar (it closes the goal); Tab accepts it.
    await goTo(config.ghost);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    const ghost = page.locator('.editor-instance .monaco-editor [class*="ghost-text"]', { hasText: 'exact hg' });
    await ghost.first().waitFor({ state: 'visible' });
    const closes = page.locator('.statusbar-item', { hasText: 'closes the goal' });
    await closes.first().waitFor({ state: 'visible' });
    const ghostMark = (await closes.first().innerText()).trim();
    await shot('ghost.png');
    // (VS Code's Tab first indents while the cursor is in the whitespace the ghost text starts
    // with, then accepts the ghost text shown at the new column)
    const accepted = async () => (((await editorText()) ?? '').split('\n')[config.ghost.line] ?? '').trim() === 'exact hg';
    const tabDeadline = Date.now() + STEP_MS;
    for (let tabs = 0; !(await accepted()); ) {
        if (Date.now() > tabDeadline) throw new Error(`Tab did not accept the ghost text (${tabs} tabs)`);
        if (await ghost.first().isVisible()) {
            tabs += 1;
            await page.keyboard.press('Tab');
        }
        await page.waitForTimeout(200);
    }
    const afterGhost = await waitForText(
        (t) => (t.split('\n')[config.ghost.line] ?? '').trim() === 'exact hg',
        'the accepted ghost text',
    );
    step('ghost text');

    // Prove and_swap while the file is edited above it: the proof lands on the moved sorry.
    await goTo(config.sorry);
    await runCommand('leanstep: Prove this sorry');
    await goTo({ line: 1, column: 1 });
    for (const line of ['-- edited while the proof was searched', '-- two lines above the theorem']) {
        await page.keyboard.type(line);
        await page.keyboard.press('Escape'); // (closes word completion, which would take the Enter)
        await page.keyboard.press('Enter');
    }
    const moved = config.sorry.line + 2;
    const sorryLine = (t) => t.split('\n')[moved - 1] ?? '';
    const proved = await waitForText((t) => !['sorry', ''].includes(sorryLine(t).trim()), 'the proof to replace the sorry');
    const done = page.locator('.notifications-toasts .notification-list-item', {
        hasText: 'leanstep:',
        hasNotText: 'searching for a proof',
    });
    await done.first().waitFor({ state: 'visible' });
    await toastGone('searching for a proof');
    await waitForPanel((t) => t.includes('✓'), 'the proof in the panel');
    await shot('proved.png');
    const provedNotifications = await notifications();
    step('proved');

    // A wrong model path: the status bar shows the error, and its message offers the config.
    writeFileSync(config.configPath, config.brokenConfig);
    const error = page.locator('.statusbar-item:has(.codicon-error)', { hasText: 'leanstep' });
    await error.waitFor({ state: 'visible' });
    const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: 'model directory not found' });
    await toast.first().waitFor({ state: 'visible' });
    const errorToast = (await toast.first().innerText()).replace(/\s+/g, ' ');
    await shot('error.png');
    await toast.first().locator('a.monaco-button, .monaco-button', { hasText: 'Open leanstep.toml' }).first().click();
    await page.locator('.tab.active', { hasText: 'leanstep.toml' }).waitFor({ state: 'visible' });
    step('error shown');

    emit({
        event: 'result',
        ok: true,
        suggestions,
        suggestText,
        afterSuggest,
        running,
        cancelled,
        afterCancel,
        afterGhost,
        ghostMark,
        proved,
        notifications: provedNotifications,
        errorToast,
        t: (Date.now() - t0) / 1000,
    });
}

const hardTimeout = setTimeout(() => {
    emit({ event: 'result', ok: false, error: `drive.mjs timed out after ${config.timeoutMs} ms` });
    process.exit(2);
}, config.timeoutMs ?? 150000);

try {
    await main();
} catch (e) {
    const failure = { event: 'result', ok: false, error: String(e?.stack ?? e) };
    if (page) {
        try {
            failure.editor = await editorText();
            failure.notifications = await notifications();
            await page.screenshot({ path: path.join(config.outDir, 'failure.png') });
            failure.screenshot = path.join(config.outDir, 'failure.png');
        } catch {
            // the page itself is gone
        }
    }
    emit(failure);
    process.exitCode = 1;
} finally {
    clearTimeout(hardTimeout);
    if (browser) await browser.close().catch(() => undefined);
}

/**
 * Entry point. Each feature is a class that owns its disposables; `activate` wires them together
 * and hands them to the extension context. `deactivate` runs before those are disposed.
 */

import { type ExtensionContext, window } from 'vscode';
import { LeanstepClient } from './client';
import { Commands } from './commands';
import { GoalRelay } from './goal';
import { InlineSuggestions } from './inline';
import { LeanstepPanel } from './panel';
import { StatusBar } from './statusBar';

let client: LeanstepClient | undefined;

export function activate(context: ExtensionContext): void {
    const output = window.createOutputChannel('leanstep', { log: true });
    const leanstep = new LeanstepClient(output);
    const goals = new GoalRelay(output);
    const panel = new LeanstepPanel(leanstep, goals, output);
    client = leanstep;
    context.subscriptions.push(
        output,
        leanstep,
        goals,
        panel,
        new StatusBar(leanstep, output),
        new Commands(leanstep, panel, output),
        new InlineSuggestions(leanstep, goals, output),
    );
    void leanstep.start();
}

/** Stops the server and waits for it, so it is not orphaned when VS Code shuts down. */
export async function deactivate(): Promise<void> {
    const c = client;
    client = undefined;
    await c?.stop();
}

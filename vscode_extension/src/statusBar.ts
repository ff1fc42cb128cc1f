/**
 * The status bar item: starting · loading model · ready · working · error · stopped, from the
 * server process and its `leanstep/status`. An error is said in plain words, once per distinct
 * message, with "Open leanstep.toml" and "Show log".
 */

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import {
    type Disposable,
    type LogOutputChannel,
    StatusBarAlignment,
    type StatusBarItem,
    ThemeColor,
    Uri,
    commands,
    window,
    workspace,
} from 'vscode';
import type { ClientState, LeanstepClient, StatusView } from './client';

const OPEN_CONFIG = 'Open leanstep.toml';
const SHOW_LOG = 'Show log';

const LOOK: Record<ClientState, { text: string; tooltip: string }> = {
    starting: { text: '$(loading~spin) leanstep', tooltip: 'leanstep: starting the server' },
    loading: { text: '$(loading~spin) leanstep: loading model', tooltip: 'leanstep: loading the model' },
    ready: { text: '$(check) leanstep', tooltip: 'leanstep: ready' },
    working: { text: '$(sync~spin) leanstep', tooltip: 'leanstep: working' },
    error: { text: '$(error) leanstep', tooltip: 'leanstep: error (click for details)' },
    stopped: { text: '$(circle-slash) leanstep', tooltip: 'leanstep: the server is stopped (click to restart)' },
};

export class StatusBar implements Disposable {
    private readonly item: StatusBarItem;
    private readonly disposables: Disposable[];
    private lastError: string | undefined;

    constructor(
        private readonly client: LeanstepClient,
        private readonly output: LogOutputChannel,
    ) {
        this.item = window.createStatusBarItem('leanstep.status', StatusBarAlignment.Right, 100);
        this.item.name = 'leanstep';
        this.disposables = [
            client.onDidChangeState((status) => {
                this.show(status);
            }),
            commands.registerCommand('leanstep.showStatus', () => this.explain(this.client.status)),
            commands.registerCommand('leanstep.openConfig', () => this.openConfig(this.client.status.configPath)),
        ];
        this.show(client.status);
        this.item.show();
    }

    private show(status: StatusView): void {
        const look = LOOK[status.state];
        this.item.text = look.text;
        this.item.tooltip = status.message !== undefined && status.state !== 'ready' ? `leanstep: ${status.message}` : look.tooltip;
        this.item.backgroundColor = status.state === 'error' ? new ThemeColor('statusBarItem.errorBackground') : undefined;
        this.item.command = status.state === 'stopped' ? 'leanstep.restartServer' : status.state === 'error' ? 'leanstep.showStatus' : 'leanstep.showOutput';
        if (status.state === 'error' && status.message !== undefined && status.message !== this.lastError) {
            this.lastError = status.message;
            void this.explain(status);
        } else if (status.state !== 'error') {
            this.lastError = undefined;
        }
    }

    /** The error in plain words, with its two ways forward; other states only open the log. */
    private async explain(status: StatusView): Promise<void> {
        if (status.state !== 'error') {
            this.output.show(true);
            return;
        }
        const choice = await window.showErrorMessage(`leanstep: ${status.message ?? 'the server failed'}`, OPEN_CONFIG, SHOW_LOG, 'Restart');
        if (choice === OPEN_CONFIG) {
            await this.openConfig(status.configPath);
        } else if (choice === SHOW_LOG) {
            this.output.show(true);
        } else if (choice === 'Restart') {
            await this.client.restart();
        }
    }

    /** The config the server named, else the workspace's `leanstep.toml` (a new one if missing). */
    private async openConfig(configPath: string | undefined): Promise<void> {
        const folder = workspace.workspaceFolders?.[0]?.uri;
        const file = configPath ?? (folder?.scheme === 'file' ? path.join(folder.fsPath, 'leanstep.toml') : undefined);
        if (file === undefined) {
            void window.showWarningMessage('leanstep: open a folder to create its leanstep.toml.');
            return;
        }
        const uri = Uri.file(file);
        // (a missing file: an editor for a new one, saved where the server looks for it)
        await window.showTextDocument(existsSync(file) ? uri : uri.with({ scheme: 'untitled' }));
    }

    dispose(): void {
        for (const d of this.disposables) {
            d.dispose();
        }
        this.item.dispose();
    }
}

/** The status bar item: the server's state (ready, working while a request is in flight, error). */

import { type Disposable, StatusBarAlignment, ThemeColor, type StatusBarItem, window } from 'vscode';
import type { LeanstepClient, ServerState } from './client';

const LOOK: Record<ServerState, { text: string; tooltip: string; error: boolean }> = {
    starting: { text: '$(loading~spin) leanstep', tooltip: 'leanstep: starting the server', error: false },
    ready: { text: '$(check) leanstep', tooltip: 'leanstep: ready', error: false },
    working: { text: '$(sync~spin) leanstep', tooltip: 'leanstep: working', error: false },
    error: { text: '$(error) leanstep', tooltip: 'leanstep: the server failed (click to restart)', error: true },
    stopped: { text: '$(circle-slash) leanstep', tooltip: 'leanstep: the server is stopped (click to restart)', error: false },
};

export class StatusBar implements Disposable {
    private readonly item: StatusBarItem;
    private readonly subscription: Disposable;

    constructor(client: LeanstepClient) {
        this.item = window.createStatusBarItem('leanstep.status', StatusBarAlignment.Right, 100);
        this.item.name = 'leanstep';
        this.show(client.state);
        this.subscription = client.onDidChangeState((state) => {
            this.show(state);
        });
        this.item.show();
    }

    private show(state: ServerState): void {
        const look = LOOK[state];
        this.item.text = look.text;
        this.item.tooltip = look.tooltip;
        this.item.backgroundColor = look.error ? new ThemeColor('statusBarItem.errorBackground') : undefined;
        this.item.command =
            state === 'error' || state === 'stopped' ? 'leanstep.restartServer' : 'leanstep.showOutput';
    }

    dispose(): void {
        this.subscription.dispose();
        this.item.dispose();
    }
}

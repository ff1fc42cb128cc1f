import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandTarget } from '../src/pure/args';
import { CancelledError, Deadline, TimeoutError, raceCancellation, sleep, withTimeout, type CancelToken } from '../src/pure/async';
import { errorText, goalFromPlainGoal, isFileInFolder } from '../src/pure/leanGoal';
import { PercentTracker, newWorkDoneToken } from '../src/pure/progress';

class Source {
    private listeners: (() => void)[] = [];
    readonly token: CancelToken & { isCancellationRequested: boolean } = {
        isCancellationRequested: false,
        onCancellationRequested: (listener) => {
            this.listeners.push(listener);
            return {
                dispose: () => {
                    this.listeners = this.listeners.filter((l) => l !== listener);
                },
            };
        },
    };
    cancel(): void {
        this.token.isCancellationRequested = true;
        for (const l of this.listeners) {
            l();
        }
    }
    get listening(): number {
        return this.listeners.length;
    }
}

describe('goalFromPlainGoal', () => {
    it('joins goals with blank lines', () => {
        assert.deepEqual(goalFromPlainGoal({ rendered: '…', goals: ['h : p\n⊢ q', '⊢ r'] }), { kind: 'goal', text: 'h : p\n⊢ q\n\n⊢ r' });
    });
    it('reads null and "no goals" as no goal', () => {
        assert.deepEqual(goalFromPlainGoal(null), { kind: 'none' });
        assert.deepEqual(goalFromPlainGoal({ rendered: 'no goals', goals: [] }), { kind: 'none' });
    });
    it('rejects malformed answers', () => {
        assert.equal(goalFromPlainGoal({ goals: 'x' }).kind, 'unavailable');
        assert.equal(goalFromPlainGoal({ goals: [1] }).kind, 'unavailable');
        assert.equal(goalFromPlainGoal('goal').kind, 'unavailable');
    });
});

describe('isFileInFolder', () => {
    it('compares whole path components', () => {
        assert.equal(isFileInFolder('/p/Foo/A.lean', '/p/Foo'), true);
        assert.equal(isFileInFolder('/p/Foo', '/p/Foo'), true);
        assert.equal(isFileInFolder('/p/FooBar/A.lean', '/p/Foo'), false);
        assert.equal(isFileInFolder('/q/A.lean', '/p'), false);
    });
});

describe('errorText', () => {
    it('reads errors, strings and message objects', () => {
        assert.equal(errorText(new Error('boom')), 'boom');
        assert.equal(errorText('No connection to Lean'), 'No connection to Lean');
        assert.equal(errorText({ code: -32601, message: 'method not found' }), 'method not found');
        assert.equal(errorText(undefined), 'undefined');
    });
});

describe('commandTarget', () => {
    const position = { line: 3, character: 4 };
    it('accepts {textDocument, position} and (uri, position)', () => {
        assert.deepEqual(commandTarget([{ textDocument: { uri: 'file:///a.lean' }, position }]), { uri: 'file:///a.lean', position });
        assert.deepEqual(commandTarget(['file:///a.lean', position]), { uri: 'file:///a.lean', position });
    });
    it('rejects anything else', () => {
        assert.equal(commandTarget([]), undefined);
        assert.equal(commandTarget(['file:///a.lean', { line: -1, character: 0 }]), undefined);
        assert.equal(commandTarget([{ textDocument: {}, position }]), undefined);
        assert.equal(commandTarget([{ uri: 'file:///a.lean' }]), undefined);
    });
});

describe('PercentTracker', () => {
    it('turns percentages into non-negative increments up to 100', () => {
        const t = new PercentTracker();
        assert.equal(t.increment(undefined), undefined);
        assert.equal(t.increment(10), 10);
        assert.equal(t.increment(5), 0);
        assert.equal(t.increment(50), 40);
        assert.equal(t.increment(250), 50);
        assert.equal(t.increment(100), 0);
    });
    it('makes distinct work-done tokens', () => {
        assert.notEqual(newWorkDoneToken('search'), newWorkDoneToken('search'));
        assert.match(newWorkDoneToken('sketch'), /^leanstep-sketch-/);
    });
});

describe('async helpers', () => {
    it('withTimeout passes values through and times out', async () => {
        assert.equal(await withTimeout(Promise.resolve(1), 100, 'x'), 1);
        await assert.rejects(withTimeout(new Promise(() => undefined), 10, 'plainGoal'), TimeoutError);
        await assert.rejects(withTimeout(Promise.resolve(1), 0, 'x'), TimeoutError);
        await assert.rejects(withTimeout(Promise.reject(new Error('no')), 100, 'x'), /no/);
    });
    it('sleep stops early on cancellation and unsubscribes', async () => {
        const s = new Source();
        const slept = sleep(10_000, s.token);
        s.cancel();
        assert.equal(await slept, false);
        const s2 = new Source();
        assert.equal(await sleep(1, s2.token), true);
        assert.equal(s2.listening, 0);
    });
    it('raceCancellation rejects at once and swallows the late rejection', async () => {
        const s = new Source();
        let rejectLate: (e: Error) => void = () => undefined;
        const slow = new Promise<number>((_, reject) => {
            rejectLate = reject;
        });
        const raced = raceCancellation(slow, s.token);
        s.cancel();
        await assert.rejects(raced, CancelledError);
        rejectLate(new Error('late')); // must not become an unhandled rejection
        assert.equal(await raceCancellation(Promise.resolve(2), new Source().token), 2);
        const already = new Source();
        already.cancel();
        await assert.rejects(raceCancellation(Promise.resolve(3), already.token), CancelledError);
    });
    it('Deadline counts down to zero', () => {
        let now = 1000;
        const d = new Deadline(50, () => now);
        assert.equal(d.remaining(), 50);
        now = 1100;
        assert.equal(d.remaining(), 0);
    });
});

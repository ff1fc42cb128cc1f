import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insertionEdit } from '../src/pure/insertion';

const span = (line: number, a: number, b: number): { start: { line: number; character: number }; end: { line: number; character: number } } => ({ start: { line, character: a }, end: { line, character: b } });

describe('insertionEdit', () => {
    it('replaces the sorry the plan covers', () => {
        assert.deepEqual(insertionEdit({ range: span(1, 2, 7), indent: 2, newLine: false }, 'exact hp', '  sorry'), {
            ...span(1, 2, 7),
            text: 'exact hp',
        });
    });
    it('goes on a new line below the cursor line, at the block indentation', () => {
        const got = insertionEdit({ range: span(1, 10, 10), indent: 2, newLine: true }, 'exact hp', '  intro hp');
        assert.deepEqual(got, { ...span(1, 10, 10), text: '\n  exact hp' });
    });
    it('pads an empty line to the block, keeps typed indentation', () => {
        assert.equal(insertionEdit({ range: span(2, 0, 0), indent: 2, newLine: false }, 'exact h', '').text, '  exact h');
        assert.equal(insertionEdit({ range: span(2, 4, 4), indent: 2, newLine: false }, 'exact h', '    ').text, 'exact h');
    });
    it('inserts multi-line text verbatim (already indented by the server)', () => {
        const text = 'constructor\n  · sorry\n  · sorry';
        assert.equal(insertionEdit({ range: span(1, 2, 7), indent: 2, newLine: false }, text, '  sorry').text, text);
    });
});

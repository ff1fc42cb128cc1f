/** Work-done progress: tokens for client-initiated progress and percentages as increments. */

let counter = 0;

/** A token unique within this extension host, sent as `workDoneToken`. */
export function newWorkDoneToken(kind: string): string {
    counter += 1;
    return `leanstep-${kind}-${Date.now().toString(36)}-${counter}`;
}

/**
 * LSP reports absolute percentages; VS Code's progress API wants increments. Percentages are
 * clamped to [0, 100] and never move the bar backwards.
 */
export class PercentTracker {
    private last = 0;

    increment(percentage: number | undefined): number | undefined {
        if (percentage === undefined || !Number.isFinite(percentage)) {
            return undefined;
        }
        const next = Math.min(100, Math.max(this.last, percentage));
        const step = next - this.last;
        this.last = next;
        return step;
    }
}

/**
 * leanstep's custom LSP requests and their wire types: a field-for-field mirror of
 * `lsp_server/protocol.py` (checked by `tests/lsp/test_protocol_mirror.py`, which requires every
 * TypedDict there to appear here as an interface with the same field names and optionality).
 *
 * Invariants: positions are LSP positions (0-based line, UTF-16 column); every suggestion that
 * `leanstep/suggestTactics` returns was run in Lean before it was returned. This module is pure
 * (type-only imports), so the unit-tested modules may depend on it.
 */

import type { WorkspaceEdit } from 'vscode-languageclient';

export const SUGGEST_TACTICS = 'leanstep/suggestTactics';
export const SEARCH_PROOF = 'leanstep/searchProof';
export const SKETCH_LEMMAS = 'leanstep/sketchLemmas';

export type Outcome = 'proves' | 'progress' | 'fails';

export interface TextDocumentIdentifier {
    uri: string;
}

export interface Position {
    line: number;
    character: number;
}

export interface SuggestTacticsParams {
    textDocument: TextDocumentIdentifier;
    position: Position;
    n?: number;
    /** Lean's own goal text at the position ($/lean/plainGoal), when the client has it. */
    goal?: string;
}

export interface TacticSuggestion {
    tactic: string;
    /** Mean token log-prob of the tactic under the policy. */
    score: number;
    outcome: Outcome;
    /** Empty unless outcome is "progress". */
    goalsAfter: string[];
    /** Lean's error for "fails". */
    message?: string;
}

export interface SuggestTacticsResult {
    goal: string | null;
    /** Ranked: proves, then progress, then fails; by score within each outcome. */
    suggestions: TacticSuggestion[];
}

export interface SearchProofParams {
    textDocument: TextDocumentIdentifier;
    /** On the `sorry` to prove. */
    position: Position;
    expansions?: number;
    workDoneToken?: string | number;
}

export interface SearchProofResult {
    proved: boolean;
    message: string;
    /** The tactics, when proved. */
    proof?: string[];
    /** Replaces the `sorry`; present only for verified proofs. */
    edit?: WorkspaceEdit;
}

export interface SketchLemmasParams {
    textDocument: TextDocumentIdentifier;
    /** Inside the theorem. */
    position: Position;
    workDoneToken?: string | number;
}

export interface SketchLemmasResult {
    message: string;
    /** The checked `have … := by sorry` block. */
    skeleton?: string;
    /** Inserts the skeleton. */
    edit?: WorkspaceEdit;
}

/**
 * leanstep's custom LSP requests and their wire types (wire contract v2): a field-for-field mirror
 * of `lsp_server/protocol.py` (checked by `tests/lsp/test_protocol_mirror.py`, which requires every
 * TypedDict there to appear here as an interface with the same field names and optionality).
 * The cursor rule, edit versioning and error codes are documented in `protocol.py`.
 *
 * Invariants: positions are LSP positions (0-based line, UTF-16 column); every suggestion that
 * `leanstep/suggestTactics` returns was run in Lean before it was returned. This module is pure
 * (type-only imports), so the unit-tested modules may depend on it.
 */

import type { WorkspaceEdit } from 'vscode-languageclient';

export const SUGGEST_TACTICS = 'leanstep/suggestTactics';
export const SEARCH_PROOF = 'leanstep/searchProof';
export const PLACE_PROOF = 'leanstep/placeProof';
export const SKETCH_LEMMAS = 'leanstep/sketchLemmas';
export const STATUS = 'leanstep/status';
export const SEARCH_PROGRESS = 'leanstep/searchProgress';

export type Outcome = 'proved' | 'advanced' | 'failed';

export type SuggestMode = 'list' | 'inline';

export type SearchStatus =
    'proved'
    | 'exhausted'
    | 'budget'
    | 'timeout'
    | 'cancelled'
    | 'withheld'
    | 'unverified'
    | 'refused';

export type PlaceStatus = 'placed' | 'withheld';

export type SketchStatus = 'sketched' | 'refused' | 'rejected';

export type ServerState = 'starting' | 'loading' | 'ready' | 'error';

export interface TextDocumentIdentifier {
    uri: string;
    /** the version the client saw (informative; the server answers on its own) */
    version?: number;
}

export interface Position {
    line: number;
    character: number;
}

export interface Range {
    start: Position;
    end: Position;
}

export interface SuggestTacticsParams {
    textDocument: TextDocumentIdentifier;
    position: Position;
    /** capped by search.max_suggestions; more is InvalidParams */
    n?: number;
    /** Lean's own goal text at the position ($/lean/plainGoal), when the client has it */
    goal?: string;
    /** default "list" */
    mode?: SuggestMode;
}

export interface TacticSuggestion {
    tactic: string;
    /** mean token log-prob (never shown raw) */
    score: number;
    outcome: Outcome;
    /** (empty unless outcome == "advanced") */
    goalsAfter: string[];
    /** Lean's error for "failed" */
    message?: string;
    /** what to put at `insert.range` (bullets, indentation included) */
    insertText: string;
}

export interface SuggestCounts {
    sampled: number;
    duplicates: number;
    /** removed before Lean: screened out, or (mode "inline") not matching the prefix */
    screened: number;
    proved: number;
    advanced: number;
    failed: number;
}

export interface InsertPlan {
    /** on the result's `version`; empty = pure insertion */
    range: Range;
    indent: number;
    /** the text goes on a new line below the cursor line */
    newLine: boolean;
}

export interface SuggestTacticsResult {
    /** the document version the answer was computed on */
    version: number | null;
    /** the whole state at the cursor (hypotheses and ⊢), as Lean prints it */
    goal: string | null;
    /** proved, then advanced, then failed; by score within */
    suggestions: TacticSuggestion[];
    /** plain words: what was sampled and what became of it, or why nothing */
    summary: string;
    counts: SuggestCounts;
    insert: InsertPlan | null;
}

export interface SearchProofParams {
    textDocument: TextDocumentIdentifier;
    /** on, inside or right after the `sorry` to prove */
    position: Position;
    expansions?: number;
    workDoneToken?: string | number;
}

export interface ProofAnchor {
    /** full name of the declaration */
    declaration: string;
    /** index of the target `sorry` among the declaration's sorries */
    sorry: number;
}

export interface SearchStats {
    expansions: number;
    budget: number;
    elapsedS: number;
    bestDepth: number;
}

export interface SearchProofResult {
    proved: boolean;
    message: string;
    status: SearchStatus;
    /** the tactics, when found */
    proof?: string[];
    /** identifies the target `sorry` for placeProof */
    anchor?: ProofAnchor;
    /** versioned; only for verified proofs */
    edit?: WorkspaceEdit;
    stats?: SearchStats;
    /** e.g. "try again with 4× budget (2400 expansions)" */
    hint?: string;
}

export interface SearchProgressParams {
    uri: string;
    token?: string | number;
    expansions: number;
    budget: number;
    elapsedS: number;
    bestDepth: number;
    bestPath: string[];
}

export interface PlaceProofParams {
    textDocument: TextDocumentIdentifier;
    anchor: ProofAnchor;
    proof: string[];
}

export interface PlaceProofResult {
    message: string;
    status: PlaceStatus;
    /** versioned, on the current text */
    edit?: WorkspaceEdit;
}

export interface SketchLemmasParams {
    textDocument: TextDocumentIdentifier;
    /** inside the theorem */
    position: Position;
    workDoneToken?: string | number;
}

export interface SketchLemmasResult {
    message: string;
    status: SketchStatus;
    /** the checked `have … := by sorry` block */
    skeleton?: string;
    /** versioned; inserts the skeleton */
    edit?: WorkspaceEdit;
    /** why plans were rejected, in plain words */
    rejected?: string[];
}

export interface StatusParams {
    state: ServerState;
    message: string;
    detail?: string;
    configPath?: string;
}

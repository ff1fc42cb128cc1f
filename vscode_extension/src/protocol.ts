/**
 * leanstep's custom LSP requests and notifications and their wire types (contract v2): a
 * field-for-field mirror of `lsp_server/protocol.py` (checked by `tests/lsp/test_protocol_mirror.py`,
 * which requires every TypedDict there to appear here as an interface with the same field names
 * and optionality, and the same method names and literal aliases).
 *
 * Invariants: positions and ranges are LSP ones (0-based line, UTF-16 column); every suggestion
 * `leanstep/suggestTactics` returns was run in Lean; every edit the server returns is a versioned
 * `TextDocumentEdit` computed on the text current when the answer was sent, and the client applies
 * it only to that version. This module is pure (type-only imports).
 */

import type { WorkspaceEdit } from 'vscode-languageclient';

export const SUGGEST_TACTICS = 'leanstep/suggestTactics';
export const SEARCH_PROOF = 'leanstep/searchProof';
export const PLACE_PROOF = 'leanstep/placeProof';
export const SKETCH_LEMMAS = 'leanstep/sketchLemmas';
export const SEARCH_PROGRESS = 'leanstep/searchProgress';
export const STATUS = 'leanstep/status';

/** One outcome vocabulary from the REPL to the wire (`Proved | Advanced | TacticFailed`). */
export type Outcome = 'proved' | 'advanced' | 'failed';
/** `inline`: ghost text, filtered by the half-typed prefix; `list`: never filtered. */
export type SuggestMode = 'list' | 'inline';
export type SearchStatus = 'proved' | 'exhausted' | 'budget' | 'timeout' | 'cancelled' | 'withheld' | 'unverified' | 'refused';
export type PlaceStatus = 'placed' | 'withheld';
export type SketchStatus = 'sketched' | 'refused' | 'rejected';
export type ServerState = 'starting' | 'loading' | 'ready' | 'error';

export interface TextDocumentIdentifier {
    uri: string;
    /** The document version the client saw when it asked. */
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
    /** Capped by the server's `search.max_suggestions` (more: InvalidParams naming the cap). */
    n?: number;
    /** Lean's own goal text at the position ($/lean/plainGoal), when the client has it. */
    goal?: string;
    mode?: SuggestMode;
}

export interface TacticSuggestion {
    tactic: string;
    outcome: Outcome;
    /** Mean token log-prob under the policy; never shown raw. */
    score: number;
    /** The goals the tactic leaves (empty for "proved" and "failed"). */
    goalsAfter: string[];
    /** Lean's error for "failed". */
    message?: string;
    /** What to insert at `insert.range`, verbatim: the tactic (plus one `· sorry` per goal when it
     *  leaves ≥ 2), with the line break and indentation the plan needs. */
    insertText: string;
}

export interface SuggestCounts {
    sampled: number;
    duplicates: number;
    screened: number;
    proved: number;
    advanced: number;
    failed: number;
}

/** Where a chosen tactic goes, by the one cursor rule (`lsp_server/protocol.py`). */
export interface InsertPlan {
    /** On the answer's `version`; empty = pure insertion; covers a `sorry` the cursor was on. */
    range: Range;
    indent: number;
    /** True when the text goes on a new line below the cursor line. */
    newLine: boolean;
}

export interface SuggestTacticsResult {
    /** The document version the answer was computed on. */
    version: number | null;
    /** The whole state at the cursor (hypotheses and ⊢), as Lean prints it. */
    goal: string | null;
    /** Ranked: proved, then advanced, then failed; by score within. */
    suggestions: TacticSuggestion[];
    /** Plain words; says why when the list is empty. */
    summary: string;
    counts: SuggestCounts;
    insert: InsertPlan | null;
}

export interface SearchProofParams {
    textDocument: TextDocumentIdentifier;
    /** On, inside or right after the `sorry` to prove. */
    position: Position;
    expansions?: number;
    workDoneToken?: string | number;
}

/** Identifies the target `sorry` across edits: the declaration and its index among its sorries. */
export interface ProofAnchor {
    declaration: string;
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
    proof?: string[];
    anchor?: ProofAnchor;
    /** Versioned; present only for a verified proof placed on the current text. */
    edit?: WorkspaceEdit;
    stats?: SearchStats;
    /** E.g. "try again with 4× budget (2400 expansions)". */
    hint?: string;
}

/** Notification `leanstep/searchProgress` (≤ 5/s), for the panel. */
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
    edit?: WorkspaceEdit;
    message: string;
    status: PlaceStatus;
}

export interface SketchLemmasParams {
    textDocument: TextDocumentIdentifier;
    /** Inside the theorem. */
    position: Position;
    workDoneToken?: string | number;
}

export interface SketchLemmasResult {
    message: string;
    status: SketchStatus;
    /** The checked `have … := by sorry` block. */
    skeleton?: string;
    edit?: WorkspaceEdit;
    /** Why plans were rejected, in plain words. */
    rejected?: string[];
}

/** Notification `leanstep/status` (server → client). */
export interface StatusParams {
    state: ServerState;
    message: string;
    detail?: string;
    configPath?: string;
}

/** Typed request descriptors for leanstep's custom requests (the wire types are in `protocol.ts`). */

import { RequestType } from 'vscode-languageclient/node';
import {
    SEARCH_PROOF,
    SKETCH_LEMMAS,
    SUGGEST_TACTICS,
    type SearchProofParams,
    type SearchProofResult,
    type SketchLemmasParams,
    type SketchLemmasResult,
    type SuggestTacticsParams,
    type SuggestTacticsResult,
} from './protocol';

export const suggestTacticsRequest = new RequestType<SuggestTacticsParams, SuggestTacticsResult, void>(SUGGEST_TACTICS);
export const searchProofRequest = new RequestType<SearchProofParams, SearchProofResult, void>(SEARCH_PROOF);
export const sketchLemmasRequest = new RequestType<SketchLemmasParams, SketchLemmasResult, void>(SKETCH_LEMMAS);

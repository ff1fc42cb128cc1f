/** Typed descriptors for leanstep's custom requests and notifications (wire types: `protocol.ts`). */

import { NotificationType, RequestType } from 'vscode-languageclient/node';
import {
    PLACE_PROOF,
    SEARCH_PROGRESS,
    SEARCH_PROOF,
    SKETCH_LEMMAS,
    STATUS,
    SUGGEST_TACTICS,
    type PlaceProofParams,
    type PlaceProofResult,
    type SearchProgressParams,
    type SearchProofParams,
    type SearchProofResult,
    type SketchLemmasParams,
    type SketchLemmasResult,
    type StatusParams,
    type SuggestTacticsParams,
    type SuggestTacticsResult,
} from './protocol';

export const suggestTacticsRequest = new RequestType<SuggestTacticsParams, SuggestTacticsResult, void>(SUGGEST_TACTICS);
export const searchProofRequest = new RequestType<SearchProofParams, SearchProofResult, void>(SEARCH_PROOF);
export const placeProofRequest = new RequestType<PlaceProofParams, PlaceProofResult, void>(PLACE_PROOF);
export const sketchLemmasRequest = new RequestType<SketchLemmasParams, SketchLemmasResult, void>(SKETCH_LEMMAS);
export const searchProgressNotification = new NotificationType<SearchProgressParams>(SEARCH_PROGRESS);
export const statusNotification = new NotificationType<StatusParams>(STATUS);

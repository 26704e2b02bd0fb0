import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Operators filter on these in the Web UI, e.g. `Journey = "abandoned-cart" AND ExecutionStatus = "Running"`.
// Values are ids and names only: never an email address or other personal data (docs/architecture.md, decision 1).
export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const LifecycleStage = defineSearchAttributeKey('LifecycleStage', SearchAttributeType.KEYWORD);
export const Journey = defineSearchAttributeKey('Journey', SearchAttributeType.KEYWORD);
export const JourneyStep = defineSearchAttributeKey('JourneyStep', SearchAttributeType.KEYWORD);
/** The segments a customer is in: `Segments = "vip"` finds every VIP's customer workflow. */
export const Segments = defineSearchAttributeKey('Segments', SearchAttributeType.KEYWORD_LIST);

/** Everything the namespace must have registered before our workflows start. */
export const searchAttributeKeys = [CustomerId, LifecycleStage, Journey, JourneyStep, Segments];

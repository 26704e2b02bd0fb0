import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { Segments } from '../shared/search-attributes';
import { allRuns, timeOf } from './journey-runs';

/** A change of the customer's segments, as their workflow published it (the Segments search attribute). */
export interface SegmentChange {
  at: number;
  joined: string[];
  left: string[];
}

/** Every change of the customer's segments over all their runs, from the upserts in their histories. */
export async function segmentChangesOf(client: Client, customerWorkflowId: string): Promise<SegmentChange[]> {
  const changes: SegmentChange[] = [];
  let current: string[] = [];
  for (const event of await allRuns(client, customerWorkflowId)) {
    const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    const payload = fields?.[Segments.name];
    if (!payload) continue;
    const segments = defaultPayloadConverter.fromPayload<string[] | null>(payload) ?? [];
    const joined = segments.filter((s) => !current.includes(s));
    const left = current.filter((s) => !segments.includes(s));
    current = segments;
    if (joined.length > 0 || left.length > 0) changes.push({ at: timeOf(event), joined, left });
  }
  return changes;
}

import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { CustomerEvent } from '../shared/events';
import { customerWorkflowId, ingestUpdate, type IngestResult } from '../shared/signals';
import { CustomerId } from '../shared/search-attributes';
import { TASK_QUEUE } from '../worker/task-queue';
import type { customer } from '../workflows/customer';

/**
 * Hands one event to its customer's workflow, starting the workflow if it is the customer's first
 * event. Update-with-start, with the messageId as update id: it returns once the workflow has the
 * event, and a repeat is recognised as such (docs/decisions.md explains why not a signal).
 */
export async function deliverEvent(client: Client, event: CustomerEvent, timeoutMs = 10_000): Promise<IngestResult> {
  // A deadline, so an unreachable Temporal becomes a prompt 503 rather than a hung request.
  return client.connection.withDeadline(Date.now() + timeoutMs, () => deliver(client, event));
}

function deliver(client: Client, event: CustomerEvent): Promise<IngestResult> {
  return client.workflow.executeUpdateWithStart(ingestUpdate, {
    args: [event],
    updateId: event.messageId,
    startWorkflowOperation: new WithStartWorkflowOperation<typeof customer>('customer', {
      workflowId: customerWorkflowId(event.userId),
      taskQueue: TASK_QUEUE,
      args: [{ customerId: event.userId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [{ key: CustomerId, value: event.userId }],
      staticSummary: `Lifecycle of customer ${event.userId}`,
    }),
  });
}

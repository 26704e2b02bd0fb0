import type { Client } from '@temporalio/client';
import { TASK_QUEUE } from '../config/task-queue';
import type { CustomerEvent } from '../shared/events';
import { CustomerId } from '../shared/search-attributes';
import { customerWorkflowId, eventsSignal } from '../shared/signals';
import type { customer } from '../workflows/customer';

/**
 * Hands a customer's waiting events to their workflow in one signal, starting the workflow if
 * these are their first. Resolves once Temporal has recorded the signal in the workflow's history:
 * from then on the events are the workflow's, whatever crashes. The deadline turns an unreachable
 * Temporal into a prompt failure (the dispatcher tries again later).
 */
export async function deliverEvents(
  client: Client,
  customerId: string,
  events: CustomerEvent[],
  timeoutMs: number,
): Promise<void> {
  await client.connection.withDeadline(Date.now() + timeoutMs, () =>
    client.workflow.signalWithStart<typeof customer, [CustomerEvent[]]>('customer', {
      workflowId: customerWorkflowId(customerId),
      taskQueue: TASK_QUEUE,
      args: [{ customerId }],
      signal: eventsSignal,
      signalArgs: [events],
      typedSearchAttributes: [{ key: CustomerId, value: customerId }],
      staticSummary: `Lifecycle of customer ${customerId}`,
    }),
  );
}

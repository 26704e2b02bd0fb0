import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { JourneyActivities } from '../../shared/activities';
import { SEND_ATTEMPT_TIMEOUT_MS, SEND_HEARTBEAT_TIMEOUT_MS } from '../../shared/sending';

// Transient failures (SMTP or database hiccups) retry with backoff; the activities throw
// non-retryable failures for permanent ones (an invalid address, a 5xx SMTP reply).
const retry = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' };

export const activities = proxyActivities<JourneyActivities>({ startToCloseTimeout: '1 minute', retry });

/** The send activity heartbeats, so a worker that dies mid-send is replaced within the heartbeat timeout. */
export const sending = proxyActivities<Pick<JourneyActivities, 'sendEmail'>>({
  startToCloseTimeout: SEND_ATTEMPT_TIMEOUT_MS,
  heartbeatTimeout: SEND_HEARTBEAT_TIMEOUT_MS,
  retry,
});

export const localActivities = proxyLocalActivities<Pick<JourneyActivities, 'loadJourneysConfig'>>({
  startToCloseTimeout: '10 seconds',
});

import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { JourneyActivities } from '../../shared/activities';

// Transient failures (SMTP or database hiccups) retry with backoff; the activities throw
// non-retryable failures for permanent ones (an invalid address, a 5xx SMTP reply).
export const activities = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export const localActivities = proxyLocalActivities<Pick<JourneyActivities, 'loadJourneysConfig'>>({
  startToCloseTimeout: '10 seconds',
});

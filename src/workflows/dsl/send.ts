import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { SendOutcome, SendRequest } from '../../shared/journey';
import { sending } from './activities';

/**
 * The send activity, with a permanent failure (a 5xx SMTP reply, a broken template: the activity
 * records it and does not retry) reported as a `failed` send instead of ending the journey.
 */
export async function sendOrRecordFailure(request: SendRequest): Promise<SendOutcome> {
  const outcome = await sendEmail(request);
  // The SDK adds the workflow id, run id and type to every workflow log line (and drops it on replay).
  log.info('email', { template: request.template, ...outcome });
  return outcome;
}

async function sendEmail(request: SendRequest): Promise<SendOutcome> {
  try {
    // The summary is what the Web UI shows for the activity in the journey's timeline.
    const summary = `${request.step}: ${request.template}${request.holdout ? ' (holdout, not sent)' : ''}`;
    return await sending().sendEmail.executeWithOptions({ summary }, [request]);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.nonRetryable) return { status: 'failed', reason: cause.message };
    throw err;
  }
}

import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { CustomerChannel, SendOutcome, SendRequest } from '../../shared/journey';
import { sending } from './activities';

/**
 * The send activity of `channel`, with a permanent failure (a 5xx SMTP reply, a number the provider
 * refuses, a broken template: the activity records it and does not retry) reported as a `failed`
 * send instead of ending the journey.
 */
export async function sendOrRecordFailure(
  request: SendRequest,
  channel: CustomerChannel = 'email',
): Promise<SendOutcome> {
  const outcome = await send(request, channel);
  // The SDK adds the workflow id, run id and type to every workflow log line (and drops it on replay).
  log.info(channel, { template: request.template, ...outcome });
  return outcome;
}

async function send(request: SendRequest, channel: CustomerChannel): Promise<SendOutcome> {
  try {
    // The summary is what the Web UI shows for the activity in the journey's timeline.
    const summary = `${request.step}: ${request.template}${request.holdout ? ' (holdout, not sent)' : ''}`;
    const activity = channel === 'sms' ? sending().sendSms : sending().sendEmail;
    return await activity.executeWithOptions({ summary }, [channel === 'sms' ? { ...request, channel } : request]);
  } catch (err) {
    // A server activity's failure comes wrapped in an ActivityFailure; a local activity's as it was thrown.
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof ApplicationFailure && cause.nonRetryable) return { status: 'failed', reason: cause.message };
    throw err;
  }
}

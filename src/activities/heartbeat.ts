import { Context } from '@temporalio/activity';
import { SEND_HEARTBEAT_TIMEOUT_MS } from '../shared/sending';

/** The activity context, or undefined when the function is called directly (tests, scripts). */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Which attempt of its activity this is (1 outside an activity): a newer attempt takes over an older one's work. */
export function currentAttempt(): number {
  return activityContext()?.info.attempt ?? 1;
}

/**
 * Runs `work`, heartbeating all along: while this process lives, Temporal knows the attempt is
 * alive however long the SMTP server takes; once it dies, Temporal retries within the heartbeat
 * timeout rather than the whole attempt's. A local activity has no heartbeat: the workflow task it
 * runs in is what times out when its worker dies.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = activityContext();
  if (!context || context.info.isLocal) return work();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), SEND_HEARTBEAT_TIMEOUT_MS / 3);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

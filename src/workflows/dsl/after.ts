import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';

/** The instant `duration` after `from` (epoch ms): for steps timed from a fixed moment, not the previous step. */
export const after = (from: number, duration: Duration): Date => new Date(from + msToNumber(duration));

/** The task queue our workers poll and our clients start workflows on. */
export const TASK_QUEUE = process.env.TEMPORAL_TASK_QUEUE || 'journeys';

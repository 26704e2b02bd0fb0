/** Thrown by the ingest path when PostgreSQL or Temporal cannot be reached: the API answers 503. */
export class ServiceUnavailable extends Error {
  constructor(
    readonly service: 'postgres' | 'temporal',
    cause: unknown,
  ) {
    super(`${service} is unavailable: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

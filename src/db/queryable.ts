import type { Pool } from 'pg';

/** Anything that runs a query: a pg Pool, or a PoolClient inside the caller's transaction. */
export type Queryable = Pick<Pool, 'query'>;

import { Pool } from 'pg';

/** A pg pool for DATABASE_URL-style connection strings; pg's numeric type comes back as a number. */
export function createPool(connectionString: string, max = 10): Pool {
  return new Pool({ connectionString, max });
}

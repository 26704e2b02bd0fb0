import { Pool } from 'pg';

/** A pg pool for a DATABASE_URL-style connection string (numeric columns come back as strings: convert). */
export function createPool(connectionString: string, max = 10): Pool {
  return new Pool({ connectionString, max });
}

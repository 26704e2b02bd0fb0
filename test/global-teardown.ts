import fs from 'node:fs';
import type { TestPostgres } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { journeysTestPostgres?: TestPostgres }).journeysTestPostgres;
  if (!pg) return;
  await pg.server.stop();
  fs.rmSync(pg.dir, { recursive: true, force: true });
}

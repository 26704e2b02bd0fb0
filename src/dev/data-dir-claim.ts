import fs from 'node:fs';
import path from 'node:path';
import type { Stack } from './lifecycle';
import { DevStartError } from './ports';
import { isRunning } from './process-running';

/**
 * One npm start per data folder: a second one would fight over PostgreSQL's files and the inbox.
 * A claim left by a process that is gone (killed) is taken over.
 */
export function claimDataDir(dataDir: string, stack: Stack): void {
  const file = path.join(dataDir, 'npm-start.pid');
  const other = Number(fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : NaN);
  if (Number.isInteger(other) && other > 0 && other !== process.pid && isRunning(other, 'node')) {
    throw new DevStartError(
      `Another npm start (pid ${other}) is running on ${dataDir}. Stop it, or set JOURNEYS_DATA_DIR to another folder.`,
    );
  }
  fs.writeFileSync(file, `${process.pid}\n`);
  stack.push('the data folder claim', () => fs.rmSync(file, { force: true }));
}

import fs from 'node:fs';

/**
 * Whether `pid` is alive and, where /proc tells (Linux), runs `command`: a pid in a file left by a
 * killed run may since have been given to an unrelated process.
 */
export function isRunning(pid: number, command: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === command;
  } catch {
    return true; // no /proc (macOS): alive is the best we know
  }
}

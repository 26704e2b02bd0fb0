import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing/lib/ephemeral-server';
import { cacheDir } from './cache-dir';

/** A provisioned server: a path we run ourselves, or the SDK's own download as a last resort. */
export interface ServerBinary {
  name: string;
  version: string;
  /** Absent when the SDK is to download the server itself. */
  path?: string;
  source: 'environment' | 'cache' | 'built' | 'sdk-download';
}

export type Log = (line: string) => void;

/** The executable option the SDK's TestWorkflowEnvironment / ephemeral server takes. */
export function executableFor(binary: ServerBinary): EphemeralServerExecutable {
  return binary.path
    ? { type: 'existing-path', path: binary.path }
    : { type: 'cached-download', downloadDir: path.join(cacheDir(), 'sdk-download') };
}

export function commandWorks(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => execFile(command, args, { timeout: 30_000 }, (err) => resolve(!err)));
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Builds into a fresh temporary folder next to `finalDir`, then renames it into place, so an
 * interrupted build never leaves a half-made binary that later runs would trust, and two
 * concurrent provisions cannot corrupt each other (the loser discards its copy).
 */
export async function buildAtomically(finalDir: string, build: (tmpDir: string) => Promise<void>): Promise<void> {
  fs.mkdirSync(path.dirname(finalDir), { recursive: true });
  const tmpDir = fs.mkdtempSync(`${finalDir}.building-`);
  try {
    await build(tmpDir);
    try {
      fs.renameSync(tmpDir, finalDir);
    } catch (err) {
      if (!fs.existsSync(finalDir)) throw err; // someone else finished first: theirs is as good
    }
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

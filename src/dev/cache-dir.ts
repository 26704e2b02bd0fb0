import os from 'node:os';
import path from 'node:path';

/**
 * Where provisioned server binaries live: outside the repository, so every clone on this
 * machine reuses them. JOURNEYS_CACHE_DIR overrides, then XDG_CACHE_HOME, then ~/.cache.
 */
export function cacheDir(): string {
  if (process.env.JOURNEYS_CACHE_DIR) return path.resolve(process.env.JOURNEYS_CACHE_DIR);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'journeys');
}

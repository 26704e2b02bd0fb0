import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir } from '../../src/dev/cache-dir';

// Schemathesis from PyPI, in a virtual environment outside the repository (every clone on the
// machine reuses it), keyed by the pinned requirements: a change of version makes a new one.

export const REQUIREMENTS = path.join(__dirname, 'requirements.txt');

/** The schemathesis version requirements.txt pins. */
export function pinnedVersion(): string {
  const line = fs
    .readFileSync(REQUIREMENTS, 'utf8')
    .split('\n')
    .find((l) => /^schemathesis==/i.test(l.trim()));
  if (!line) throw new Error(`${REQUIREMENTS} pins no schemathesis version`);
  return line.trim().split('==')[1];
}

function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        log(`  ${line}`);
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new Error(`${command}: ${err.message}`)));
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`)),
    );
  });
}

/**
 * The Python of a virtual environment with the pinned Schemathesis: reused when it is complete,
 * else made in a temporary folder and renamed into place (an interrupted install is never taken
 * for a finished one). Run Schemathesis as `<python> -m schemathesis.cli`, which works wherever
 * the folder lives (the console scripts' first lines name the folder they were installed in).
 */
export async function ensureSchemathesis(python: string, log: (line: string) => void): Promise<string> {
  const requirements = fs.readFileSync(REQUIREMENTS);
  const key = createHash('sha256').update(requirements).digest('hex').slice(0, 10);
  const dir = path.join(cacheDir(), `schemathesis-${pinnedVersion()}-${key}`);
  const venvPython = path.join(dir, 'bin', 'python');
  const marker = path.join(dir, '.complete');
  if (fs.existsSync(marker)) return venvPython;

  log(`[fuzz] installing Schemathesis ${pinnedVersion()} from PyPI into ${dir} (once)`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true }); // without its marker: an install made by hand, or broken
  try {
    await run(python, ['-m', 'venv', tmp], log);
    const pip = path.join(tmp, 'bin', 'python');
    await run(
      pip,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', REQUIREMENTS],
      log,
    );
    fs.writeFileSync(path.join(tmp, '.complete'), `${new Date().toISOString()}\n`);
    try {
      fs.renameSync(tmp, dir);
    } catch (err) {
      // Another run finished the same environment first: use that one.
      if (!fs.existsSync(marker)) throw err;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return venvPython;
}

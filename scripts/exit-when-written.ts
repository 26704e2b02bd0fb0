/**
 * Exits once what was written has reached stdout and stderr: a command-line script with the
 * Temporal runtime installed stays up by itself, and process.exit right away can cut its output.
 */
export function exitWhenWritten(code: number): void {
  let pending = 2;
  const done = () => --pending === 0 && process.exit(code);
  process.stdout.write('', done);
  process.stderr.write('', done);
}

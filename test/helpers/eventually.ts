/**
 * Polls `probe` (every 100 ms, up to `seconds`) until it returns something other than undefined,
 * false or null, and returns that; times out naming `what`. For state another process reaches on
 * its own time: an email in a capture, a row an activity writes. The default is generous because
 * it is only reached when something is wrong, or the machine very busy.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  seconds = 60,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

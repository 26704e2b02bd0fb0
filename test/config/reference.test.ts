import fs from 'node:fs';
import path from 'node:path';
import { configReference } from '../../src/config/reference';

/** Table rows without the padding Prettier adds, so only content is compared. */
const normalise = (markdown: string): string[] =>
  markdown
    .split('\n')
    .map((l) =>
      l
        .trim()
        .replace(/\s*\|\s*/g, '|')
        .replace(/-{3,}/g, '---'),
    )
    .filter(Boolean);

describe('the configuration reference in README.md', () => {
  const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const block = readme.split('<!-- config-reference:start -->')[1]?.split('<!-- config-reference:end -->')[0] ?? '';

  it('lists every key of the schema with its default (npm run docs:config rewrites it)', () => {
    expect(normalise(block)).toEqual(normalise(configReference()));
  });

  it('names the keys a newcomer tunes first, with the brief’s defaults', () => {
    const reference = configReference();
    expect(reference).toContain('| `journeys.abandonedCart.firstReminderAfter` | `"1 hour"` |');
    expect(reference).toContain('| `messaging.quietHours` | `{"start":"21:00","end":"08:00"}` |');
    expect(reference).toContain('| `messaging.frequencyCap` | `{"max":3,"per":"7 days"}` |');
    expect(reference).not.toContain('journeys.welcome.enabled'); // documented once as journeys.<name>.enabled
  });
});

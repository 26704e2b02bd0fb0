// npm run docs:config: rewrites the configuration reference in README.md from the schema.
import fs from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { configReference } from '../src/config/reference';

const README = path.join(__dirname, '..', 'README.md');
const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';

async function main(): Promise<void> {
  const readme = fs.readFileSync(README, 'utf8');
  const [before, rest] = readme.split(START);
  if (rest === undefined || !rest.includes(END)) throw new Error(`README.md lacks the ${START} ... ${END} markers`);
  const after = rest.slice(rest.indexOf(END));
  const updated = `${before}${START}\n\n${configReference()}\n\n${after}`;
  // Formatted as `npm run lint` checks it: with the project's Prettier settings.
  fs.writeFileSync(README, await format(updated, { ...(await resolveConfig(README)), filepath: README }));
  console.log('README.md: configuration reference updated');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

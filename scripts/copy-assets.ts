// npm run build: tsc compiles the TypeScript; the SQL migrations and the templates (the shared ones
// and each journey's own) ship as they are.
import fs from 'node:fs';
import path from 'node:path';

const journeys = fs.existsSync('src/journeys')
  ? fs.readdirSync('src/journeys').map((name) => path.join('journeys', name, 'templates'))
  : [];
for (const dir of ['db/migrations', 'templates', ...journeys]) {
  if (!fs.existsSync(`src/${dir}`)) continue;
  // Only the assets: the TypeScript beside them is compiled by tsc.
  fs.cpSync(`src/${dir}`, `dist/${dir}`, { recursive: true, filter: (f) => !/\.(ts|mjs)$/.test(f) });
}

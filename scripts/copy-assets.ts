// npm run build: tsc compiles the TypeScript; the SQL migrations and email templates ship as they are.
import fs from 'node:fs';

for (const dir of ['db/migrations', 'templates']) {
  if (!fs.existsSync(`src/${dir}`)) continue;
  // Only the assets: the TypeScript beside them is compiled by tsc.
  fs.cpSync(`src/${dir}`, `dist/${dir}`, { recursive: true, filter: (f) => !/\.(ts|mjs)$/.test(f) });
}

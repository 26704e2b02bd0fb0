// npm run provision: builds or fetches the Temporal servers Journeys runs and tests against.
// Idempotent: with everything cached it takes well under a second.
import { provisionServers } from '../src/dev/provision';
import type { ServerBinary } from '../src/dev/server-binary';

const describe = (b: ServerBinary): string =>
  `  ${b.name.padEnd(22)} ${b.version.padEnd(12)} ${(b.path ?? '(downloaded by the SDK on first use)').padEnd(70)} [${b.source}]`;

provisionServers((line) => console.log(line))
  .then(({ devServer, testServer }) => {
    console.log('Temporal servers ready:');
    console.log(describe(devServer));
    console.log(describe(testServer));
  })
  .catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });

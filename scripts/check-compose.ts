// npm run check:compose [-- some-compose-file.yml]: validates docker-compose.yml offline with the real
// Docker Compose (YAML, the Compose Specification schema, interpolation, its consistency checks: what
// `docker compose up` would reject before starting anything), then checks what a schema cannot, then
// proves the check bites: deliberately broken copies of the file must all be rejected.
//
// Docker Compose is built once from the Go module proxy into ~/.cache/journeys (JOURNEYS_CACHE_DIR
// moves it); `docker compose config` needs no Docker engine. DOCKER_COMPOSE_PATH uses a docker-compose
// binary you already have; without Go, an installed `docker compose` plugin is used.
import path from 'node:path';
import { ensureCompose, load } from './compose/compose-binary';
import { defaultFile } from './compose/model';
import { checkModel, checkVariablesDocumented } from './compose/rules';
import { selfTest } from './compose/self-test';

async function main(): Promise<void> {
  const file = path.resolve(process.argv[2] ?? defaultFile);
  const shown = path.relative(process.cwd(), file) || file;
  const compose = await ensureCompose((line) => console.log(line));
  console.log(`Checking ${shown} with ${compose.description}, variables from .env.example`);

  const loaded = load(compose, file);
  const problems = [...loaded.errors, ...loaded.warnings.map((w) => `docker compose warns: ${w}`)];
  if (loaded.model) problems.push(...checkModel(loaded.model), ...checkVariablesDocumented(file));
  if (problems.length > 0 || !loaded.model) {
    console.error(`${shown}: ${problems.length} problem(s):`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  const services = Object.keys(loaded.model.services);
  const volumes = Object.keys(loaded.model.volumes ?? {});
  console.log(
    `${shown}: OK: ${services.length} services (${services.join(', ')}), ${volumes.length} named volumes. ` +
      'Compose schema, interpolation, consistency; healthchecks behind service_healthy and on every ' +
      'restarting service, declared volumes, pinned images, mounted paths, documented variables.',
  );

  console.log('Self-test: broken copies must be rejected');
  const failures = selfTest(compose, loaded.model);
  if (failures.length > 0) {
    console.error(`Self-test FAILED, the check is not catching everything:`);
    for (const f of failures) console.error(`  - ${f}`);
    process.exit(1);
  }
  console.log('Self-test: OK');
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});

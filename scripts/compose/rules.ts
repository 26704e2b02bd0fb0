import fs from 'node:fs';
import path from 'node:path';
import { envExample, root, type Model, type Service } from './model';

// What a schema cannot check: how services relate, and whether what they point at exists.

const hasHealthcheck = (s: Service): boolean =>
  !!s.healthcheck &&
  !s.healthcheck.disable &&
  (s.healthcheck.test?.length ?? 0) > 0 &&
  s.healthcheck.test?.[0] !== 'NONE';

/** A tag other than latest, or a digest: the same bytes on every host and every `docker compose pull`. */
function isPinned(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const colon = image.lastIndexOf(':');
  const tag = colon > image.lastIndexOf('/') ? image.slice(colon + 1) : '';
  return tag !== '' && tag !== 'latest';
}

const inRepo = (p: string): boolean => !path.relative(root, p).startsWith('..');

/** What the schema cannot see: how services relate, and whether what they point at exists. */
export function checkModel(model: Model): string[] {
  const problems: string[] = [];
  const services = model.services ?? {};
  const declaredVolumes = new Set(Object.keys(model.volumes ?? {}));
  for (const [name, s] of Object.entries(services)) {
    const at = `services.${name}`;
    if (!s.image && !s.build) problems.push(`${at}: has neither image nor build`);
    if (s.image && !s.build && !isPinned(s.image)) {
      problems.push(`${at}.image: ${s.image} is not pinned (give a version tag other than latest, or a digest)`);
    }
    if (s.restart && s.restart !== 'no' && !hasHealthcheck(s)) {
      problems.push(`${at}: a long-running service (restart: ${s.restart}) without a healthcheck`);
    }
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
      const target = services[dep];
      if (!target) problems.push(`${at}.depends_on: ${dep} is not a service`);
      else if (condition === 'service_healthy' && !hasHealthcheck(target)) {
        problems.push(`${at}.depends_on.${dep}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      }
    }
    for (const v of s.volumes ?? []) {
      if (v.type === 'volume' && v.source && !declaredVolumes.has(v.source)) {
        problems.push(`${at}.volumes: named volume ${v.source} is not declared under the top-level volumes`);
      }
      if (v.type === 'bind' && v.source && inRepo(v.source) && !fs.existsSync(v.source)) {
        problems.push(`${at}.volumes: mounts ${path.relative(root, v.source)}, which does not exist`);
      }
    }
    if (s.build) {
      const dockerfile = path.resolve(s.build.context, s.build.dockerfile ?? 'Dockerfile');
      if (!fs.existsSync(dockerfile)) problems.push(`${at}.build: ${path.relative(root, dockerfile)} does not exist`);
    }
  }
  return problems;
}

/** Every ${VARIABLE} the compose file reads is explained in .env.example (set, or commented out). */
export function checkVariablesDocumented(file: string): string[] {
  const text = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');
  const used = new Set([...text.matchAll(/(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
  const example = fs.readFileSync(envExample, 'utf8');
  const documented = new Set([...example.matchAll(/^#?\s*([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]));
  return [...used]
    .filter((v) => !documented.has(v))
    .sort()
    .map((v) => `\${${v}} is used but not documented in .env.example`);
}

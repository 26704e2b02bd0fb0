import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load, type Compose } from './compose-binary';
import type { Model, Service } from './model';
import { checkModel } from './rules';

// The check must bite: deliberately broken copies of the project must all be rejected.

interface Mutation {
  what: string;
  /** Breaks the model in place; false when this file has nothing to break that way. */
  apply: (m: Model) => boolean;
}

const entries = (m: Model): [string, Service][] => Object.entries(m.services);

const mutations: Mutation[] = [
  {
    what: 'a misspelt key (restart: -> restrat:)',
    apply: (m) => {
      const s = entries(m).find(([, svc]) => svc.restart)?.[1];
      if (!s) return false;
      s.restrat = s.restart;
      delete s.restart;
      return true;
    },
  },
  {
    what: 'a healthcheck interval that is not a duration',
    apply: (m) => {
      const s = entries(m).find(([, svc]) => svc.healthcheck)?.[1];
      if (!s?.healthcheck) return false;
      s.healthcheck.interval = 'every ten seconds';
      return true;
    },
  },
  {
    what: 'a dependency on a service that does not exist',
    apply: (m) => {
      const s = entries(m)[0]?.[1];
      if (!s) return false;
      s.depends_on = { ...s.depends_on, 'no-such-service': { condition: 'service_started' } };
      return true;
    },
  },
  {
    what: 'a named volume not declared at the top level',
    apply: (m) => {
      const used = entries(m)
        .flatMap(([, svc]) => svc.volumes ?? [])
        .find((v) => v.type === 'volume' && v.source && m.volumes?.[v.source]);
      if (!used?.source || !m.volumes) return false;
      delete m.volumes[used.source];
      return true;
    },
  },
  {
    what: 'a service waited on as healthy that has no healthcheck',
    apply: (m) => {
      const dep = entries(m)
        .flatMap(([, svc]) => Object.entries(svc.depends_on ?? {}))
        .find(([, d]) => d.condition === 'service_healthy')?.[0];
      if (!dep || !m.services[dep]) return false;
      delete m.services[dep].healthcheck;
      return true;
    },
  },
  {
    what: 'an unpinned image (no tag)',
    apply: (m) => {
      const s = entries(m).find(([, svc]) => svc.image && !svc.build)?.[1];
      if (!s?.image) return false;
      s.image = s.image.replace(/[:@].*$/, '');
      return true;
    },
  },
];

const oneLine = (problem: string): string => {
  const text = problem.replace(/\s+/g, ' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

/** Feeds broken copies of the loaded project back through the whole check: each must be rejected. */
export function selfTest(compose: Compose, model: Model): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-compose-'));
  const failures: string[] = [];
  try {
    const check = (m: Model, name: string): string[] => {
      const file = path.join(dir, `${name}.json`); // JSON is YAML
      fs.writeFileSync(file, JSON.stringify(m, null, 2));
      const loaded = load(compose, file);
      return loaded.model ? checkModel(loaded.model) : [loaded.errors.join(' ')];
    };
    const control = check(model, 'control');
    if (control.length > 0) return [`the unbroken project itself is rejected when fed back: ${control[0]}`];
    mutations.forEach((mutation, i) => {
      const broken = structuredClone(model);
      if (!mutation.apply(broken)) {
        console.log(`  skipped   ${mutation.what}: nothing in this file to break that way`);
        return;
      }
      const problems = check(broken, `broken-${i}`);
      if (problems.length === 0) failures.push(`${mutation.what} was NOT rejected`);
      else console.log(`  rejected  ${mutation.what}: ${oneLine(problems[0])}`);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return failures;
}

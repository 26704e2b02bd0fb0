import path from 'node:path';

// The compose project as the checks see it, and where its files are.

export const root = path.resolve(__dirname, '..', '..');
export const defaultFile = path.join(root, 'docker-compose.yml');
/** The variables the compose file is loaded with: the example must be enough to load it. */
export const envExample = path.join(root, '.env.example');

export interface Healthcheck {
  test?: string[];
  disable?: boolean;
  interval?: string;
}

export interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  restart?: string;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
  volumes?: { type: string; source?: string; target: string }[];
  [key: string]: unknown;
}

/** The project as `docker compose config --format json` prints it: anchors merged, variables set. */
export interface Model {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

export interface Loaded {
  model?: Model;
  errors: string[];
  warnings: string[];
}

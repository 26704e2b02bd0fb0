import type { Pool } from 'pg';
import type { ActivityDeps } from '../activities';
import { createMailer } from '../activities/mailer';
import type { JourneysConfig } from '../config/schema';
import { createRenderer } from '../templates/renderer';

export interface ActivitySettings {
  pool: Pool;
  smtpUrl: string;
  config: JourneysConfig;
  publicUrl: string;
  signingSecret: string;
}

/** What the activities run on, made the same way by the production worker and by `npm start`. */
export function activityDeps(settings: ActivitySettings): ActivityDeps {
  return {
    pool: settings.pool,
    mailer: createMailer(settings.smtpUrl),
    clock: () => new Date(),
    config: () => settings.config,
    renderer: createRenderer({ defaultLocale: settings.config.messaging.defaultLocale }),
    links: { publicUrl: settings.publicUrl, signingSecret: settings.signingSecret },
  };
}

import type { Pool } from 'pg';
import type { ActivityDeps } from '../activities';
import { createMailer } from '../activities/mailer';
import { createSmsProvider, type SmsProviderSettings } from '../activities/sms-provider';
import type { JourneysConfig } from '../config/schema';
import { createRenderer, type Renderer } from '../templates/renderer';

export interface ActivitySettings {
  pool: Pool;
  smtpUrl: string;
  config: JourneysConfig;
  publicUrl: string;
  signingSecret: string;
  /** Twilio's API and credentials; undefined: texts are recorded `failed`, saying SMS is not configured. */
  sms?: SmsProviderSettings;
  /** Signs webhook steps' calls; undefined: they are recorded `failed`, saying so. */
  webhookSecret?: string;
}

/** The SMS provider settings in the environment, when its credentials are there. */
export function smsSettings(env: {
  SMS_URL: string;
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
}): SmsProviderSettings | undefined {
  const { SMS_URL: url, TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken } = env;
  return accountSid && authToken ? { url, accountSid, authToken } : undefined;
}

/** What the activities run on, made the same way by the production worker and by `npm start`. */
export function activityDeps(settings: ActivitySettings): ActivityDeps & { renderer: Renderer } {
  return {
    pool: settings.pool,
    mailer: createMailer(settings.smtpUrl),
    clock: () => new Date(),
    config: () => settings.config,
    renderer: createRenderer({ defaultLocale: settings.config.messaging.defaultLocale }),
    links: { publicUrl: settings.publicUrl, signingSecret: settings.signingSecret },
    sms: settings.sms && createSmsProvider(settings.sms),
    webhookSecret: settings.webhookSecret,
  };
}

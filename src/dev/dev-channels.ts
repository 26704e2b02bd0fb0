import type { Env } from '../config/env';
import type { JourneysConfig } from '../config/schema';
import type { SmsProviderSettings } from '../activities/sms-provider';
import { SMS_INBOUND_PATH } from '../shared/sms-paths';
import { smsSettings } from '../worker/activity-deps';
import type { DevSettings } from './dev-settings';
import { log, type Stack } from './lifecycle';
import { startSmsStandin } from './sms-standin';
import { startWebhookReceiver } from './webhook-receiver';

// npm start's texts and webhook calls: local stand-ins of the SMS provider and of the shop's
// systems, each with a page showing what arrived, unless the environment names real ones.

const DEV_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const DEV_AUTH_TOKEN = 'development-only-sms-auth-token';
/** Twilio's test sender number. */
const DEV_SENDER = '+15005550006';
const DEV_WEBHOOK_SECRET = `whsec_${Buffer.from('development-only-webhook-secret!').toString('base64')}`;

export interface DevChannels {
  sms?: SmsProviderSettings;
  smsInboxUrl?: string;
  webhookSecret?: string;
  webhooksUrl?: string;
}

/**
 * Starts the stand-ins the environment does not replace, and points the configuration at them:
 * texts come from Twilio's test number, and a lost cart is told to the receiver's /hooks/crm.
 */
export async function devChannels(
  env: Env,
  dev: DevSettings,
  config: JourneysConfig,
  publicUrl: string,
  stack: Stack,
): Promise<DevChannels> {
  const channels: DevChannels = { sms: smsSettings(env), webhookSecret: env.WEBHOOK_SECRET };
  if (!channels.sms) {
    const standin = await startSmsStandin({
      port: dev.smsPort,
      accountSid: DEV_ACCOUNT_SID,
      authToken: DEV_AUTH_TOKEN,
      inboundUrl: `${publicUrl}${SMS_INBOUND_PATH}`,
      ourNumber: config.messaging.sms.from ?? DEV_SENDER,
      log,
    });
    stack.push('the SMS stand-in', () => standin.stop());
    channels.sms = { url: standin.url, accountSid: DEV_ACCOUNT_SID, authToken: DEV_AUTH_TOKEN };
    channels.smsInboxUrl = standin.url;
    config.messaging.sms.from ??= DEV_SENDER;
  }
  if (!channels.webhookSecret) {
    const receiver = await startWebhookReceiver({ port: dev.webhooksPort, secret: DEV_WEBHOOK_SECRET, log });
    stack.push('the webhook receiver', () => receiver.stop());
    channels.webhookSecret = DEV_WEBHOOK_SECRET;
    channels.webhooksUrl = receiver.url;
    config.journeys.abandonedCart.lostCartWebhook ??= `${receiver.url}/hooks/crm`;
  }
  return channels;
}

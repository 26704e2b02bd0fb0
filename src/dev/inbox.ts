import fs from 'node:fs';

export interface InboxSettings {
  /** Every message is kept there as an .eml file and shown again after a restart. */
  dir: string;
  smtpPort: number;
  webPort: number;
}

export interface RunningInbox {
  /** Where the worker sends mail. */
  smtpUrl: string;
  /** The web inbox; its REST API is under /api (GET /api/email lists the messages). */
  webUrl: string;
  stop(): Promise<void>;
}

/**
 * MailDev: an SMTP server that keeps every email, and a web inbox to read them, on loopback only.
 * Logs one line per message received.
 */
export async function startInbox(settings: InboxSettings, log: (line: string) => void): Promise<RunningInbox> {
  fs.mkdirSync(settings.dir, { recursive: true });
  // maildev is ESM-only: a dynamic import loads it from our CommonJS code.
  const { MailDev } = await import('maildev');
  const maildev = new MailDev({
    smtp: settings.smtpPort,
    web: settings.webPort,
    ip: '127.0.0.1',
    webIp: '127.0.0.1',
    mailDirectory: settings.dir,
    silent: true,
  });
  const servers = await maildev.start();
  servers.smtp.on('new', (email: { to?: { address?: string }[]; subject?: string }) => {
    const to = (email.to ?? []).map((a) => a.address).join(', ') || '(no recipient)';
    log(`[mail] to ${to}: ${email.subject || '(no subject)'}`);
  });
  return {
    smtpUrl: `smtp://127.0.0.1:${settings.smtpPort}`,
    webUrl: `http://127.0.0.1:${settings.webPort}`,
    stop: () => maildev.stop(),
  };
}

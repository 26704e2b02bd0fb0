// The small page behind every email's unsubscribe link. A GET never changes anything (mail
// scanners follow links); the buttons POST.

const page = (title: string, body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
  button { display: block; width: 100%; margin: .75rem 0; padding: .9rem; font-size: 1rem; border-radius: .5rem;
           border: 1px solid #888; background: #fff; cursor: pointer; }
  button.primary { background: #222; color: #fff; border-color: #222; }
</style></head><body>${body}</body></html>`;

export type PreferenceAction = 'unsubscribe' | 'pause' | 'fewer';

export function choicePage(action: string, suggested?: PreferenceAction): string {
  const button = (value: PreferenceAction, label: string) =>
    `<button name="action" value="${value}"${value === suggested ? ' class="primary"' : ''}>${label}</button>`;
  return page(
    'Email preferences',
    `<h1>Email preferences</h1>
<p>Choose what you would like. Order confirmations and other emails about your orders still arrive.</p>
<form method="post" action="${action}">
${button('unsubscribe', 'Unsubscribe from marketing emails')}
${button('pause', 'Pause emails for 30 days')}
${button('fewer', 'Send me fewer emails')}
</form>`,
  );
}

const DONE: Record<PreferenceAction, string> = {
  unsubscribe: 'You are unsubscribed. You will receive no more marketing emails from us.',
  pause: 'Done: no marketing emails for the next 30 days.',
  fewer: 'Done: from now on you will hear from us less often.',
};

export function donePage(action: PreferenceAction): string {
  return page('Email preferences', `<h1>Thank you</h1><p>${DONE[action]}</p>`);
}

export function confirmedPage(): string {
  return page('Subscription confirmed', '<h1>Thank you</h1><p>Your email address is confirmed.</p>');
}

import { escapeUTF8 as escape } from 'entities';
import type { StandinSms } from './sms-standin';
import { STAND_IN_TABLE_STYLE } from './stand-in-style';

const DIRECTION_LABELS: Record<StandinSms['direction'], string> = {
  'outbound-api': 'sent',
  'outbound-reply': 'reply',
  inbound: 'received',
};

/**
 * The SMS stand-in's web page: every text, newest first, and a form to text us as a customer.
 * Everything from a text is escaped; only http(s) URLs in a body become links.
 */
export function renderSmsInbox(texts: StandinSms[], options: { suggestedFrom: string }): string {
  const rows = texts.map(row).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SMS inbox</title>
<style>
${STAND_IN_TABLE_STYLE}
  td.body { white-space: pre-wrap; max-width: 40rem; }
  .inbound { background: #f3f8ff; }
  .bad { color: #b00020; }
  form { display: flex; gap: .5rem; align-items: flex-start; margin: 1rem 0 2rem; }
  textarea { width: 30rem; height: 3rem; }
</style>
</head>
<body>
<h1>SMS inbox</h1>
<form id="text-us">
  <label>Text us as <input name="from" required placeholder="+4915112345678" value="${escape(options.suggestedFrom)}"></label>
  <textarea name="body" required placeholder="STOP, YES, a question…"></textarea>
  <button>Send</button>
  <span id="result"></span>
</form>
<table id="texts">
<thead><tr><th>Time (UTC)</th><th></th><th>From → To</th><th>Text</th><th>Segments</th><th>Status</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="6">No texts yet.</td></tr>'}
</tbody>
</table>
<script>
  const form = document.getElementById('text-us');
  const result = document.getElementById('result');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const res = await fetch('/api/inbound', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(new FormData(form))),
    });
    const answer = await res.json();
    result.textContent = res.ok ? 'Our API answered HTTP ' + answer.status : answer.error;
    if (res.ok) form.elements.body.value = '';
    refresh();
  });
  // Only the table is refreshed, so what is typed in the form stays.
  async function refresh() {
    const page = new DOMParser().parseFromString(await (await fetch('/')).text(), 'text/html');
    document.getElementById('texts').replaceWith(page.getElementById('texts'));
  }
  setInterval(refresh, 3000);
</script>
</body>
</html>
`;
}

function row(text: StandinSms): string {
  const status = text.errorCode ? `${text.status} (${text.errorCode})` : text.status;
  const bad = text.status === 'failed' || text.status === 'undelivered';
  return `<tr class="${text.direction === 'inbound' ? 'inbound' : ''}">
  <td><time datetime="${escape(text.createdAt)}">${escape(text.createdAt.replace('T', ' ').slice(0, 19))}</time></td>
  <td>${DIRECTION_LABELS[text.direction]}</td>
  <td>${escape(text.from)} → ${escape(text.to)}</td>
  <td class="body">${linkify(text.body)}</td>
  <td>${text.numSegments}</td>
  <td${bad ? ' class="bad"' : ''}>${escape(status)}</td>
</tr>`;
}

/** Escapes the text and makes its http(s) URLs links; punctuation ending a sentence stays out of a link. */
function linkify(text: string): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(/\bhttps?:\/\/[^\s<>"']+/g)) {
    const url = match[0].replace(/[.,;:!?)]+$/, '');
    html += escape(text.slice(last, match.index));
    html += `<a href="${escape(url)}" target="_blank" rel="noopener noreferrer">${escape(url)}</a>`;
    last = match.index + url.length;
  }
  return html + escape(text.slice(last));
}

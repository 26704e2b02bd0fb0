// What the API itself saw while it was fuzzed: its answers by route and status, from its /metrics.

export interface StatusCount {
  method: string;
  route: string;
  status: string;
  count: number;
}

/** journeys_http_requests_total, one entry per method, route and status. */
export function requestCounts(metricsText: string): StatusCount[] {
  const counts: StatusCount[] = [];
  for (const line of metricsText.split('\n')) {
    const m = /^journeys_http_requests_total\{(.*)\} (\d+(?:\.\d+)?)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    counts.push({ method: labels.method, route: labels.route, status: labels.status, count: Number(m[2]) });
  }
  return counts.sort(
    (a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || a.status.localeCompare(b.status),
  );
}

export function formatCounts(counts: StatusCount[]): string {
  const lines: string[] = [];
  const failing = counts.filter((c) => c.status.startsWith('5') && c.route !== '/readyz');
  lines.push("Answers by route and status (the API's /metrics):");
  for (const c of counts) {
    const flag = c.status.startsWith('5') ? '  <-- server error' : '';
    lines.push(`  ${c.method.padEnd(6)} ${c.route.padEnd(32)} ${c.status}  ${String(c.count).padStart(5)}${flag}`);
  }
  const total = failing.reduce((n, c) => n + c.count, 0);
  lines.push(total === 0 ? 'The API answered no 5xx.' : `The API answered ${total} server errors (5xx).`);
  return lines.join('\n');
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TemplateError } from '../../src/templates/renderer';

/** A template folder of our own, for the cases the starter templates do not have. */
export function scratchDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journeys-templates-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** The smallest valid MJML document around `text`. */
export const mjml = (text: string) =>
  `<mjml><mj-body><mj-section><mj-column><mj-text>${text}</mj-text></mj-column></mj-section></mj-body></mjml>`;

/** The TemplateError `promise` rejects with (and fails the test if it resolves or rejects otherwise). */
export async function failure(promise: Promise<unknown>): Promise<TemplateError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TemplateError);
  return err as TemplateError;
}

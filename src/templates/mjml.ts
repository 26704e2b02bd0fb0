import mjml2html from 'mjml';

/** MJML that does not validate: each message names the line (of the Liquid output) and the tag. */
export class MjmlInvalid extends Error {
  constructor(readonly messages: string[]) {
    super(`invalid MJML: ${messages.join('; ')}`);
  }
}

/**
 * MJML to responsive HTML, validated strictly: an unknown tag, a misplaced tag or an illegal
 * attribute throws MjmlInvalid instead of rendering something half right.
 */
export async function mjmlToHtml(source: string, filePath: string): Promise<string> {
  let result;
  try {
    result = await mjml2html(source, { validationLevel: 'strict', keepComments: false, fonts: {}, filePath });
  } catch (err) {
    const details = (err as { details?: { formattedMessage?: string; message: string }[] }).details;
    if (Array.isArray(details)) throw new MjmlInvalid(details.map((d) => d.formattedMessage ?? d.message));
    throw err;
  }
  if (result.errors.length > 0) throw new MjmlInvalid(result.errors.map((e) => e.formattedMessage));
  return result.html;
}

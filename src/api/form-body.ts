import busboy from 'busboy';
import express, { type RequestHandler } from 'express';
import { ApiError } from './errors';

// The small HTML forms we receive: the preference page's buttons (urlencoded) and RFC 8058's
// one-click unsubscribe, which mail providers POST as multipart/form-data (as the RFC says they
// SHOULD) or urlencoded. Either way the handler sees the fields in req.body.

const MAX_FIELDS = 10;
const MAX_FIELD_BYTES = 1024;

const urlencoded = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: MAX_FIELDS });

/** Reads a multipart/form-data body's fields (files are refused) into req.body. */
const multipart: RequestHandler = (req, _res, next) => {
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, files: 0 } });
  } catch {
    return next(new ApiError(400, 'bad_request', 'The form body is malformed'));
  }
  const fields: Record<string, string> = {};
  let failed = false;
  const fail = (err: ApiError) => {
    if (failed) return;
    failed = true;
    req.unpipe(parser);
    req.resume(); // drain the rest, so the answer is not cut short
    next(err);
  };
  parser.on('field', (name, value) => {
    fields[name] = value;
  });
  parser.on('file', (_name, stream) => stream.resume());
  parser.on('filesLimit', () => fail(new ApiError(413, 'payload_too_large', 'A form here carries no files')));
  parser.on('fieldsLimit', () => fail(new ApiError(413, 'payload_too_large', 'The form has too many fields')));
  parser.on('error', () => fail(new ApiError(400, 'bad_request', 'The form body is malformed')));
  parser.on('close', () => {
    if (failed) return;
    req.body = fields;
    next();
  });
  req.pipe(parser);
};

/** Fields of a urlencoded or multipart/form-data body; anything else leaves req.body empty. */
export const formBody: RequestHandler = (req, res, next) => {
  if (req.is('multipart/form-data')) return multipart(req, res, next);
  return urlencoded(req, res, next);
};

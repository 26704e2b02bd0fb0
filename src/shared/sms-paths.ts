/** Where the SMS provider reports each text's delivery: the worker names it in every text, the API serves it. */
export const SMS_STATUS_PATH = '/v1/sms/status';

/** Where the SMS provider posts texts customers send us (STOP, START, HELP). */
export const SMS_INBOUND_PATH = '/v1/sms/inbound';

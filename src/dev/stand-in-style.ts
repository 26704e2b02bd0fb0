/** The look the stand-ins' pages share (the texts, the webhook calls): a plain table of what arrived. */
export const STAND_IN_TABLE_STYLE = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { font-weight: 600; color: #555; }
`;

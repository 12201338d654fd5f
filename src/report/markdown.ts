/** Text helpers of the traffic report: user-provided text (names, hosts, header values) made inert in Markdown. */

/** Characters {@link inline} rewrites; text without any (nearly all of it) is returned as it is, without a copy. */
const SPECIAL = /[&<>\r\n\u2028\u2029]/;

/** User-provided text made inert in Markdown: HTML-significant characters as entities, no line breaks. */
export const inline = (text: unknown): string => {
  const s = String(text);
  return SPECIAL.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/[\r\n\u2028\u2029]/g, ' ') : s;
};

/** {@link inline}, also safe inside a table cell. */
export const cell = (text: unknown): string => {
  const s = inline(text);
  return s.includes('|') ? s.replace(/\|/g, '\\|') : s;
};

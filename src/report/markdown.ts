/** Text helpers of the traffic report: user-provided text (names, hosts, header values) made inert in Markdown. */

/** User-provided text made inert in Markdown: HTML-significant characters as entities, no line breaks. */
export const inline = (text: unknown): string => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/[\r\n\u2028\u2029]/g, ' ');

/** {@link inline}, also safe inside a table cell. */
export const cell = (text: unknown): string => inline(text).replace(/\|/g, '\\|');

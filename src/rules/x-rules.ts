import { Rule } from './engine';
import { X_HOST_RULES } from './x-hosts';
import { X_HTTP_RULES } from './x-http';
import { X_LABEL_RULES } from './x-labels';
import { X_META_RULES } from './x-meta';

export { X04, X05, X06 } from './x-hosts';
export { X07, X08, X09 } from './x-labels';
export { X10, X11 } from './x-http';
export { X12, X13 } from './x-meta';

/** Catalogue rules X-04..X-13 (X-01..X-03 live in cross-cutting.ts). */
export const X_RULES: readonly Rule[] = [...X_HOST_RULES, ...X_LABEL_RULES, ...X_HTTP_RULES, ...X_META_RULES];

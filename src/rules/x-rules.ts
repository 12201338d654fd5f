import { Rule } from './engine';

/** Catalogue rules X-04..X-13. */
export const X_RULES: readonly Rule[] = [];

import { Rule } from './engine';

/** Catalogue rules DR-01..DR-22 (not yet implemented ones). */
export const DR_RULES: readonly Rule[] = [];

import { Rule } from './engine';

/** Catalogue rules VS-01..VS-17 (not yet implemented ones). */
export const VS_STRUCTURE_RULES: readonly Rule[] = [];

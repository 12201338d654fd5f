import { Rule } from './engine';

/** Catalogue rules SE-01..SE-09. */
export const SE_RULES: readonly Rule[] = [];

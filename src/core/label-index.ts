import { labelKey, Labels, labelsWithin } from './labels';

const pairKey = (k: string, v: string) => JSON.stringify([k, v]);

/**
 * Items (workloads, Services) indexed by their label pairs, so selector questions touch only the items that
 * share a pair instead of every item of the App. Answers are memoised per selector.
 */
export class LabelIndex<T> {
  private readonly byPair = new Map<string, T[]>();
  private readonly labelsOf = new Map<T, Labels>();
  private readonly memoMatching = new Map<string, T[]>();
  private readonly memoWithin = new Map<string, T[]>();

  /** Indexes `item` under its labels (items with no labels are kept out: they neither select nor match by pair). */
  public add(item: T, labels: Labels): void {
    const keys = Object.keys(labels);
    if (keys.length === 0) return;
    this.labelsOf.set(item, labels);
    for (const k of keys) {
      const key = pairKey(k, labels[k]);
      const list = this.byPair.get(key) ?? [];
      list.push(item);
      this.byPair.set(key, list);
    }
  }

  /** Items whose labels contain every entry of `selector` (pods a selector selects). `selector` must not be empty. */
  public matching(selector: Labels): T[] {
    const memo = labelKey(selector);
    const cached = this.memoMatching.get(memo);
    if (cached) return cached;
    let smallest: T[] | undefined;
    for (const k of Object.keys(selector)) {
      const list = this.byPair.get(pairKey(k, selector[k])) ?? [];
      if (!smallest || list.length < smallest.length) smallest = list;
    }
    const found = (smallest ?? []).filter((item) => labelsWithin(selector, this.labelsOf.get(item) ?? {}));
    this.memoMatching.set(memo, found);
    return found;
  }

  /** Items whose (non-empty) labels are all entries of `labels` (Services whose selector selects a pod with `labels`). */
  public within(labels: Labels): T[] {
    const memo = labelKey(labels);
    const cached = this.memoWithin.get(memo);
    if (cached) return cached;
    const hits = new Map<T, number>();
    for (const k of Object.keys(labels)) {
      for (const item of this.byPair.get(pairKey(k, labels[k])) ?? []) hits.set(item, (hits.get(item) ?? 0) + 1);
    }
    const found = [...hits].filter(([item, n]) => n === Object.keys(this.labelsOf.get(item) ?? {}).length).map(([item]) => item);
    this.memoWithin.set(memo, found);
    return found;
  }
}

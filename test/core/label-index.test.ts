import { LabelIndex } from '../../src/core/label-index';

describe('LabelIndex', () => {
  const index = new LabelIndex<string>();
  index.add('v1', { app: 'reviews', version: 'v1' });
  index.add('v2', { app: 'reviews', version: 'v2' });
  index.add('none', {});

  test('matching: items whose labels contain the selector', () => {
    expect(index.matching({ app: 'reviews' }).sort()).toEqual(['v1', 'v2']);
    expect(index.matching({ version: 'v2' })).toEqual(['v2']);
    expect(index.matching({ app: 'ratings' })).toEqual([]);
  });

  test('within: items whose labels are all in the given map', () => {
    const services = new LabelIndex<string>();
    services.add('reviews', { app: 'reviews' });
    services.add('reviews-v2', { app: 'reviews', version: 'v2' });
    expect(services.within({ app: 'reviews', version: 'v1' })).toEqual(['reviews']);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { parseManifests } from '../../src/cli/inputs';
import { validateManifest } from '../../src/schema/crd-validator';

/**
 * Istio's own CRD validation test documents (pkg/config/validation/testdata/crds, Istio 1.30.3): every kind and
 * served version. Istio's TestCRDs requires the CRD schema + CEL to agree with the webhook, so the schema check
 * alone must reject every `*-invalid` document and accept every `*-valid` one.
 */
const CORPUS = path.join(__dirname, '..', '..', '..', 'shared', 'corpus', 'istio-crd-conformance');
const rows = fs.existsSync(CORPUS)
  ? fs.readFileSync(path.join(CORPUS, 'expectations.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'))
  : [];

/** Documents whose verdict differs from Istio's, with the reason (none expected). */
const KNOWN_DIFFERENCES: Record<string, string> = {};

function verdict(doc: string): { rejected: boolean; issues: string[] } {
  // Read as lint reads it: as kubectl's go-yaml v2 does (`001:db8::` is a string, `yes` a boolean).
  const [parsed] = parseManifests(fs.readFileSync(path.join(CORPUS, doc), 'utf8'), doc);
  const issues = validateManifest(parsed.manifest).map((i) => `${i.path}: ${i.message}`);
  return { rejected: issues.length > 0, issues };
}

test('the conformance corpus is present (../shared/corpus beside the repo)', () => {
  expect(rows.length).toBeGreaterThanOrEqual(100);
});

test.each(rows.map((r) => [r[0], r[3], r[4], r[6]]))('%s (%s %s) is %s', (doc, _apiVersion, _kind, expected) => {
  const { rejected, issues } = verdict(doc);
  if (KNOWN_DIFFERENCES[doc]) {
    expect(rejected).not.toBe(expected === 'reject'); // still different: remove the entry once it agrees
    return;
  }
  expect({ doc, rejected, issues: rejected === (expected === 'reject') ? [] : issues }).toEqual({ doc, rejected: expected === 'reject', issues: [] });
});

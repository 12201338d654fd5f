import { App } from 'cdk8s';
import { Rules } from '../src';
import { defineExampleApps } from './all';

// Entry point of `npm run synth` (compiled by tsc, run with node: no ts-node at synth time).
const app = new App({ outdir: process.env.CDK8S_OUTDIR ?? 'dist' });
defineExampleApps(app);
// The example apps write the traffic report next to their manifests (dist/traffic-report.md); it is off by default.
Rules.of(app).trafficReport = true;
app.synth();

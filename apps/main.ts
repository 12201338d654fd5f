import { App } from 'cdk8s';
import { defineExampleApps } from './all';

// Entry point of `npm run synth` (compiled by tsc, run with node: no ts-node at synth time).
const app = new App({ outdir: process.env.CDK8S_OUTDIR ?? 'dist' });
defineExampleApps(app);
app.synth();

#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildCauterize } from './cauterize';

const app = new App();
buildCauterize(app);
// cdk-nag 3 is a validation plugin: an unacknowledged finding (error or warning) fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

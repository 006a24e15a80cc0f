import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlatformStack } from '../lib/platform-stack';

const app = new App();
const context = (key: string): string => {
  const value: unknown = app.node.tryGetContext(key);
  if (typeof value !== 'string')
    throw new Error(`context ${key} is missing: set it in cdk.json or with -c ${key}=...`);
  return value;
};
new PlatformStack(app, 'Platform', {
  usageStreamArn: context('gatewayUsageStreamArn'),
  usageStreamKeyArn: context('gatewayUsageKeyArn'),
});
// cdk-nag 3 is a validation plugin: an unacknowledged finding fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

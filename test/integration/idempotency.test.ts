import type { LocalExecution } from '../../local/stepfunctions/local-state-machine';
import {
  synthesizeTemplates,
  type SynthesizedTemplates,
} from '../../local/cloudformation/synthesized-templates';
import { failOnceAfterWrite } from '../support/task-faults';
import { EnforcementHarness, enforcementInput } from '../support/enforcement-harness';

/**
 * "The same trigger delivered ten times, concurrently, yields one suspension, one case and one
 * event; a retried workflow step never duplicates a write." Proved against the local services:
 * the synthesized workflow run by aws-local-stepfunctions, its writes going to dynalite through
 * the real AWS SDK, its events to the local bus. Under both workflow types: the default profile's
 * STANDARD machine, and the optimised profile's EXPRESS one, which never refuses a name.
 */
describe.each([
  { costProfile: 'default', workflowType: 'STANDARD' },
  { costProfile: 'optimised', workflowType: 'EXPRESS' },
] as const)(
  'Feature: idempotent enforcement ($workflowType, $costProfile profile)',
  ({ costProfile, workflowType }) => {
    let templates: SynthesizedTemplates;
    let harness: EnforcementHarness | undefined;

    beforeAll(() => {
      templates = synthesizeTemplates(undefined, { costProfile });
    });

    afterEach(async () => {
      await harness?.stop();
      harness = undefined;
    });

    /** The last state each execution entered. */
    const endStates = (executions: readonly LocalExecution[]) =>
      executions.map((e) => e.history.filter((h) => h.type === 'StateEntered').pop()?.stateName);

    /** Exactly one suspension, one case, one audit entry and one of each event, for `caseId`. */
    async function expectEnforcedOnce(
      h: EnforcementHarness,
      accountId: string,
      caseId: string,
    ): Promise<void> {
      const account = await h.account(accountId);
      expect(account).toMatchObject({ status: 'SUSPENDED', suspendedCaseId: caseId });
      const items = await h.caseItems(caseId);
      expect(items.map((item) => item.sk)).toEqual(['AUDIT#0000', 'CASE']);
      const [audit, record] = items;
      expect(record).toMatchObject({ lastAuditSeq: 0, lastAuditHash: audit?.hash, openedAt: audit?.at });
      // The suspension and the case were written by the one execution that claimed the case.
      expect(account?.suspendedAt).toBe(record?.openedAt);
      const suspended = h.events('AccountSuspended');
      const opened = h.events('CaseOpened');
      expect(suspended).toHaveLength(1);
      expect(opened).toHaveLength(1);
      expect(suspended[0]?.detail).toMatchObject({ accountId, caseId });
      expect(opened[0]?.detail).toMatchObject({ accountId, caseId, action: 'suspend' });
      expect(h.events()).toHaveLength(2);
    }

    describe('Scenario: the same trigger delivered ten times at once', () => {
      it('acts once for ten concurrent StartExecution calls with the same name and input', async () => {
        // Prepare
        harness = await EnforcementHarness.start(templates);
        expect(harness.machine.workflowType).toBe(workflowType);
        await harness.putAccount('acct-same-name');
        const input = enforcementInput('acct-same-name');

        // Act
        const results = await Promise.all(
          Array.from({ length: 10 }, () =>
            harness!.machine.startExecution({ name: 'acct-same-name-1', input }),
          ),
        );
        await harness.machine.drain();

        // Assess
        const executions = harness.machine.executions();
        expect(executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
        if (workflowType === 'STANDARD') {
          // The name dedupes: one execution.
          expect(results.filter((r) => r.started)).toHaveLength(1);
          expect(new Set(results.map((r) => r.executionArn)).size).toBe(1);
          expect(executions).toHaveLength(1);
        } else {
          // Express starts all ten: the conditional writes let one act.
          expect(results.filter((r) => r.started)).toHaveLength(10);
          expect(new Set(results.map((r) => r.executionArn)).size).toBe(10);
          expect(endStates(executions).filter((end) => end === 'Enforced')).toHaveLength(1);
        }
        await expectEnforcedOnce(harness, 'acct-same-name', input.caseId);
      });

      it('acts once when ten executions with different names carry the same case', async () => {
        // Prepare
        harness = await EnforcementHarness.start(templates);
        await harness.putAccount('acct-many-names');
        const input = enforcementInput('acct-many-names');

        // Act
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            harness!.machine.startExecution({ name: `acct-many-names-run-${i}`, input }),
          ),
        );
        await harness.machine.drain();

        // Assess
        const executions = harness.machine.executions();
        expect(executions).toHaveLength(10);
        expect(executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
        const ends = endStates(executions);
        // One claimed the case and acted; every other one lost the claim or found the account suspended.
        expect(ends.filter((end) => end === 'Enforced')).toHaveLength(1);
        expect(
          ends
            .filter((end) => end !== 'Enforced')
            .every((end) => end === 'CaseAlreadyOpen' || end === 'AlreadyEnforced'),
        ).toBe(true);
        // The conditional put really was contested: at least one execution lost it.
        expect(ends).toContain('CaseAlreadyOpen');
        await expectEnforcedOnce(harness, 'acct-many-names', input.caseId);
      });
    });

    describe('Scenario: a step that fails after its write is retried', () => {
      it.each(['OpenCase', 'SuspendAccount', 'RecordAudit'])(
        'never duplicates a write when %s is retried',
        async (state) => {
          // Prepare
          const calls = { count: 0 };
          harness = await EnforcementHarness.start(templates, {
            wrap: { [state]: failOnceAfterWrite(calls) },
          });
          await harness.putAccount('acct-retry');
          const input = enforcementInput('acct-retry');

          // Act
          await harness.run('acct-retry-1', input);

          // Assess
          const execution = harness.machine.describeExecution('acct-retry-1');
          expect(execution?.status).toBe('SUCCEEDED');
          expect(calls.count).toBe(2);
          expect(execution?.history).toContainEqual(
            expect.objectContaining({ type: 'StateRetried', stateName: state }),
          );
          expect(execution?.history.filter((h) => h.type === 'StateEntered').pop()?.stateName).toBe(
            'Enforced',
          );
          await expectEnforcedOnce(harness, 'acct-retry', input.caseId);
        },
      );

      it('never duplicates a write when ThrottleAccount is retried', async () => {
        // Prepare
        const calls = { count: 0 };
        harness = await EnforcementHarness.start(templates, {
          wrap: { ThrottleAccount: failOnceAfterWrite(calls) },
        });
        await harness.putAccount('acct-throttle-retry');
        const input = enforcementInput('acct-throttle-retry', {
          action: 'throttle',
          proposedAction: 'throttle',
          directive: { requestsPerHour: 10 },
        });

        // Act
        await harness.run('acct-throttle-retry-1', input);

        // Assess
        expect(calls.count).toBe(2);
        expect(await harness.account('acct-throttle-retry')).toMatchObject({
          enforcementState: 'THROTTLED',
          enforcementCaseId: input.caseId,
          rateLimitPerHour: 10,
        });
        expect((await harness.caseItems(input.caseId)).map((i) => i.sk)).toEqual(['AUDIT#0000', 'CASE']);
        expect(harness.events().map((e) => e['detail-type'])).toEqual(['AccountThrottled', 'CaseOpened']);
      });
    });
  },
);

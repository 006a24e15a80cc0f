import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { CaseEventPublisher, CaseUpdatedDetail } from '../core/cases/case-ports';
import { EVENT_SOURCE, type EventDetailType } from '../core/events';

const CASE_UPDATED: EventDetailType = 'CaseUpdated';

/** Thrown when EventBridge refuses the event; the status change itself is already recorded. */
export class CaseEventPublishError extends Error {
  public constructor(caseId: string, reason: string, options?: ErrorOptions) {
    super(
      `case ${caseId} was changed but CaseUpdated was not published (${reason}): repeat the same change to publish it`,
      options,
    );
    this.name = 'CaseEventPublishError';
  }
}

/** Anything with PutEvents' shape: the SDK client, or the local runtime's bus. */
export interface PutEventsSender {
  putEvents(
    entries: ReadonlyArray<{ Source: string; DetailType: string; Detail: string; EventBusName: string }>,
  ): Promise<{
    FailedEntryCount?: number;
    Entries?: ReadonlyArray<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
  }>;
}

export function sdkPutEvents(client: EventBridgeClient): PutEventsSender {
  return { putEvents: (entries) => client.send(new PutEventsCommand({ Entries: [...entries] })) };
}

/** Publishes CaseUpdated on the enforcement bus (the reinstatement workflow listens for FALSE_POSITIVE). */
export class EventBridgeCaseEvents implements CaseEventPublisher {
  public constructor(
    private readonly sender: PutEventsSender,
    private readonly eventBusName: string,
  ) {}

  public async caseUpdated(detail: CaseUpdatedDetail): Promise<void> {
    let out: Awaited<ReturnType<PutEventsSender['putEvents']>>;
    try {
      out = await this.sender.putEvents([
        {
          Source: EVENT_SOURCE,
          DetailType: CASE_UPDATED,
          Detail: JSON.stringify(detail),
          EventBusName: this.eventBusName,
        },
      ]);
    } catch (error) {
      throw new CaseEventPublishError(detail.caseId, (error as Error).message, { cause: error });
    }
    if ((out.FailedEntryCount ?? 0) > 0) {
      const failed = out.Entries?.find((e) => e.ErrorCode);
      throw new CaseEventPublishError(
        detail.caseId,
        `${failed?.ErrorCode ?? 'failed'}: ${failed?.ErrorMessage ?? ''}`,
      );
    }
  }
}

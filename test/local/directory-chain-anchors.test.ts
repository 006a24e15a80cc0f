import { readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import {
  anchorDocument,
  anchorKey,
  anchorText,
  InvalidAnchorError,
  latestAnchor,
} from '../../lambdas/core/cases/chain-anchor';
import { DirectoryChainAnchors } from '../../local/directory-chain-anchors';
import { tempDirPerTest } from '../support/temp-dir';

const head = (caseId: string, lastAuditSeq: number) => ({
  caseId,
  lastAuditSeq,
  lastAuditHash: String(lastAuditSeq).repeat(64).slice(0, 64),
  status: 'OPEN' as const,
});

describe('Class: DirectoryChainAnchors', () => {
  const dir = tempDirPerTest('cauterize-anchors-');

  const write = async (store: DirectoryChainAnchors, at: string, heads = [head('case-a-1', 0)]) => {
    const anchoredAt = new Date(at);
    const document = anchorDocument({ heads, anchoredAt, anchoredBy: 'test', table: 'CasesTable' });
    await store.put(anchorKey(anchoredAt), anchorText(document).text, anchoredAt);
    return anchorKey(anchoredAt);
  };

  it('finds the newest anchor first, whatever order they were written in', async () => {
    // Prepare
    const store = new DirectoryChainAnchors(dir());
    await write(store, '2026-12-07T10:00:00.000Z');
    const newest = await write(store, '2026-12-07T12:00:00.000Z', [head('case-a-1', 3)]);
    await write(store, '2026-12-07T11:00:00.000Z');

    // Act
    const latest = await latestAnchor(store);

    // Assess
    expect(latest?.key).toBe(newest);
    expect(latest?.heads.get('case-a-1')?.lastAuditSeq).toBe(3);
  });

  it('never writes over an anchor, and leaves each one read-only', async () => {
    // Prepare
    const store = new DirectoryChainAnchors(dir());
    const key = await write(store, '2026-12-07T10:00:00.000Z');

    // Act & Assess
    await expect(write(store, '2026-12-07T10:00:00.000Z')).rejects.toThrow(/anchors are never overwritten/);
    expect(statSync(join(dir(), key)).mode & 0o222).toBe(0);
  });

  it('refuses an anchor whose heads were edited after it was written, naming it', async () => {
    // Prepare
    const store = new DirectoryChainAnchors(dir());
    const key = await write(store, '2026-12-07T10:00:00.000Z', [head('case-a-1', 2)]);
    const file = join(dir(), key);
    chmodSync(file, 0o644);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"lastAuditSeq": 2', '"lastAuditSeq": 1'));

    // Act & Assess
    await expect(latestAnchor(store)).rejects.toThrow(InvalidAnchorError);
    await expect(latestAnchor(store)).rejects.toThrow(
      `anchor ${key} is not a valid cauterize-chain-anchor/v1 document: the heads do not match headsDigest (edited?)`,
    );
  });

  it('reports no anchor in a folder that has none yet', async () => {
    // Act & Assess
    expect(await latestAnchor(new DirectoryChainAnchors(dir()))).toBeUndefined();
  });
});

import { GetObjectCommand, ListObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { ANCHOR_PREFIX, type ChainAnchorStore } from '../core/cases/chain-anchor';
import { S3CaseArchive } from './s3-case-archive';

/**
 * Chain anchors in the case archive bucket, under `anchors/`: each written once, in Object Lock
 * COMPLIANCE mode until its retain-until date (nobody, root included, can delete or overwrite that
 * version before then), with a SHA-256 checksum and `If-None-Match: *` (the archive's own put).
 * Keys sort newest first, so the newest anchor is the first key of one listing call.
 */
export class S3ChainAnchors implements ChainAnchorStore {
  private readonly archive: S3CaseArchive;

  public constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {
    this.archive = new S3CaseArchive(client, bucket);
  }

  public async put(key: string, text: string, retainUntil: Date): Promise<{ readonly location: string }> {
    const put = await this.archive.put(key, text, retainUntil);
    if (put.alreadyArchived) {
      throw new Error(`an anchor is already at s3://${this.bucket}/${key}: anchors are never overwritten`);
    }
    return { location: `s3://${this.bucket}/${key}${put.versionId ? ` (version ${put.versionId})` : ''}` };
  }

  public async latest(): Promise<{ readonly key: string; readonly text: string } | undefined> {
    // ListObjects (v1) with MaxKeys 1: the first key is the newest anchor. v1 rather than v2
    // because s3rver (the tests' S3) builds v2 continuation tokens with DES, which Node's OpenSSL 3
    // no longer has, so a truncated v2 listing fails there; S3 answers both alike.
    const listed = await this.client.send(
      new ListObjectsCommand({ Bucket: this.bucket, Prefix: ANCHOR_PREFIX, MaxKeys: 1 }),
    );
    const key = listed.Contents?.[0]?.Key;
    if (key === undefined) return undefined;
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const text = await object.Body?.transformToString('utf8');
    if (text === undefined) throw new Error(`anchor s3://${this.bucket}/${key} has no body`);
    return { key, text };
  }
}

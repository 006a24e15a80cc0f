import { HeadObjectCommand, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { ArchivePutResult, CaseArchive } from '../core/cases/case-ports';

/**
 * Closed cases in an S3 bucket with Object Lock: each document is written once, in COMPLIANCE
 * mode until its retain-until date (nobody, root included, can delete or overwrite that version
 * before then), with a SHA-256 checksum S3 verifies on receipt. `If-None-Match: *` makes a
 * repeated archive a no-op instead of a second version.
 */
export class S3CaseArchive implements CaseArchive {
  public constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  public async put(key: string, document: string, retainUntil: Date): Promise<ArchivePutResult> {
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: document,
          ContentType: 'application/json',
          ObjectLockMode: 'COMPLIANCE',
          ObjectLockRetainUntilDate: retainUntil,
          ChecksumAlgorithm: 'SHA256',
          IfNoneMatch: '*',
        }),
      );
      return { bucket: this.bucket, key, ...versionOf(out.VersionId), alreadyArchived: false };
    } catch (error) {
      if (!isAlreadyThere(error)) throw error;
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { bucket: this.bucket, key, ...versionOf(head.VersionId), alreadyArchived: true };
    }
  }
}

const versionOf = (versionId: string | undefined) => (versionId ? { versionId } : {});

/** 412 Precondition Failed: the key exists. 409: a concurrent conditional write won. */
function isAlreadyThere(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'PreconditionFailed' ||
      error.$metadata.httpStatusCode === 412 ||
      error.name === 'ConditionalRequestConflict')
  );
}

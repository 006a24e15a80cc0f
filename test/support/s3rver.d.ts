/** Minimal typings for s3rver (local S3), which ships no TypeScript declarations. */
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    directory: string;
    silent?: boolean;
    resetOnClose?: boolean;
    configureBuckets?: Array<{ name: string; configs?: string[] }>;
  }

  class S3rver {
    public constructor(options: S3rverOptions);
    public run(): Promise<AddressInfo>;
    public close(): Promise<void>;
  }
  export = S3rver;
}

import type { AttachmentRef } from '../../src/domain/message';
import { downloadCapped, PhotoFetchError, type DownloadOptions } from '../download';
import type { DingtalkClient } from './client';

export interface DingtalkPhotoSourceOptions {
  client: Pick<DingtalkClient, 'messageFileUrl'>;
  /** The app's robotCode (its client id) when a callback names none. */
  robotCode: string;
  /** The configured API hosts: fetched over http too (loopback fakes, a proxy); any other download URL must be https. */
  plainHttpHosts: string[];
}

/**
 * A picture from a robot message: the downloadCode is exchanged at the configured API host
 * (never at an address from the callback, which DingTalk's signature does not cover) for a
 * temporary URL, which is then fetched with the size cap.
 */
export function createDingtalkPhotoSource(opts: DingtalkPhotoSourceOptions) {
  return async (ref: AttachmentRef, download: Omit<DownloadOptions, 'plainHttpHosts'>): Promise<Uint8Array> => {
    if (ref.kind !== 'dingtalk-file') throw new PhotoFetchError('failed', `not a DingTalk file: ${ref.kind}`);
    let answer;
    try {
      answer = await opts.client.messageFileUrl(ref.downloadCode, ref.robotCode ?? opts.robotCode, download.signal);
    } catch (e) {
      const name = (e as { name?: string }).name;
      throw new PhotoFetchError(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'failed', (e as Error).message);
    }
    if (!answer.ok) {
      // Download codes expire with the message; DingTalk answers 4xx with a code such as invalidParameter.
      throw new PhotoFetchError(answer.status === 404 ? 'not_found' : answer.status >= 400 && answer.status < 500 ? 'expired' : 'failed', `messageFiles/download: ${answer.code}`);
    }
    return downloadCapped(answer.url, { ...download, plainHttpHosts: opts.plainHttpHosts });
  };
}

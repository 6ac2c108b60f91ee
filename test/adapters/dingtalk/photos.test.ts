import { describe, expect, it } from 'vitest';
import { parseDingtalkRobot } from '../../../adapters/dingtalk/inbound';
import { checkDownloadUrl, PhotoFetchError } from '../../../adapters/download';
import { robotPayload } from '../../fakes/dingtalk-api';

const at = new Date('2026-11-23T02:00:00Z');
const base = () => {
  const { text: _text, ...rest } = robotPayload({ msgId: 'msgPic1', staffId: 'hengtong-zhang', text: '', sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=s' });
  return rest;
};

describe('DingTalk robot photos (picture, richText)', () => {
  it('a picture is the placeholder text and its downloadCode, for the callback’s robot', () => {
    const m = parseDingtalkRobot(JSON.stringify({ ...base(), msgtype: 'picture', content: { downloadCode: 'dc-1', pictureDownloadCode: 'pdc-1' } }), at)!;
    expect(m.text).toBe('[图片]');
    expect(m.attachments).toEqual([{ kind: 'dingtalk-file', downloadCode: 'dc-1', robotCode: 'ding-robot-code' }]);
  });

  it('falls back to pictureDownloadCode when a picture has no downloadCode', () => {
    const m = parseDingtalkRobot(JSON.stringify({ ...base(), msgtype: 'picture', content: { pictureDownloadCode: 'pdc-2' } }), at)!;
    expect(m.attachments).toEqual([{ kind: 'dingtalk-file', downloadCode: 'pdc-2', robotCode: 'ding-robot-code' }]);
  });

  it('a richText keeps its words as the text and each picture as a reference; pictures alone read [图片]', () => {
    const m = parseDingtalkRobot(
      JSON.stringify({ ...base(), msgtype: 'richText', content: { richText: [{ text: '保证金半年没退，' }, { type: 'picture', downloadCode: 'dc-a' }, { text: '回执见图' }, { type: 'picture', downloadCode: 'dc-b', pictureDownloadCode: 'x' }] } }),
      at,
    )!;
    expect(m.text).toBe('保证金半年没退，回执见图');
    expect(m.attachments?.map((a) => (a.kind === 'dingtalk-file' ? a.downloadCode : ''))).toEqual(['dc-a', 'dc-b']);
    const pics = parseDingtalkRobot(JSON.stringify({ ...base(), msgtype: 'richText', content: { richText: [{ type: 'picture', downloadCode: 'dc-c' }] } }), at)!;
    expect(pics.text).toBe('[图片]');
  });

  it('text messages carry no attachments', () => {
    expect(parseDingtalkRobot(JSON.stringify(robotPayload({ msgId: 't', staffId: 'x', text: 'hi', sessionWebhook: 'https://oapi.dingtalk.com/s' })), at)!.attachments).toBeUndefined();
  });
});

describe('photo download addresses', () => {
  it('takes https anywhere, plain http only from a configured platform host, and nothing else', () => {
    expect(checkDownloadUrl('https://down.dingtalk.com/file/x', []).host).toBe('down.dingtalk.com');
    expect(checkDownloadUrl('http://127.0.0.1:9000/files/a', ['127.0.0.1:9000']).pathname).toBe('/files/a');
    for (const bad of ['http://10.0.0.5/admin', 'file:///etc/passwd', 'ftp://x/y', 'not a url']) {
      expect(() => checkDownloadUrl(bad, ['127.0.0.1:9000'])).toThrow(PhotoFetchError);
    }
  });
});

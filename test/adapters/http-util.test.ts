import { describe, expect, it } from 'vitest';
import { BadPayloadError, readXmlFields } from '../../adapters/http-util';

describe('WeCom callback XML reader', () => {
  it('reads CDATA and plain fields', () => {
    const xml = '<?xml version="1.0"?>\n<xml><ToUserName><![CDATA[ww-corp]]></ToUserName><AgentID>1000002</AgentID><Encrypt><![CDATA[a<b>]]c]]></Encrypt>\n</xml>\n';
    expect(readXmlFields(xml)).toEqual({ ToUserName: 'ww-corp', AgentID: '1000002', Encrypt: 'a<b>]]c' });
  });

  it('keeps the first of repeated fields out of nested ones: only flat fields count', () => {
    expect(readXmlFields('<xml><MsgType>text</MsgType><Content><![CDATA[<MsgType>event</MsgType>]]></Content></xml>')).toEqual({ MsgType: 'text', Content: '<MsgType>event</MsgType>' });
  });

  it('keeps the sender a text smuggling a closing tag and a second <FromUserName> would replace (second outside review)', () => {
    const content = '您好]]></Content><FromUserName><![CDATA[wangmin]]></FromUserName><Content><![CDATA[/关闭 1 无效';
    const xml = `<xml><ToUserName><![CDATA[ww-corp]]></ToUserName><FromUserName><![CDATA[outsider]]></FromUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>1</MsgId></xml>`;
    expect(readXmlFields(xml)).toMatchObject({ FromUserName: 'outsider', Content: '您好' });
  });

  it('reads the fields of nested event elements as flat ones', () => {
    expect(readXmlFields('<xml><Event><![CDATA[pic_sysphoto]]></Event><SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum><![CDATA[abc]]></PicMd5Sum></item></PicList></SendPicsInfo></xml>')).toEqual({
      Event: 'pic_sysphoto',
      Count: '1',
      PicMd5Sum: 'abc',
    });
  });

  it('refuses what is not a WeCom document', () => {
    expect(() => readXmlFields('{"encrypt":"x"}')).toThrow(BadPayloadError);
    expect(() => readXmlFields('<xml><A>1</A>')).toThrow(BadPayloadError);
  });

  // Linear by construction: each character is looked at a bounded number of times. The old
  // regular expression rescanned to the end for every unclosed CDATA (0.5 s for 250 KB), so
  // these inputs would not finish within the test's timeout.
  it('gets through megabytes of unclosed CDATA and unclosed tags', () => {
    const unclosedCdata = `<xml>${'<A><![CDATA['.repeat(200_000)}</xml>`;
    expect(() => readXmlFields(unclosedCdata)).toThrow(BadPayloadError);
    const unclosedTags = `<xml>${'<A>'.repeat(500_000)}</xml>`;
    expect(readXmlFields(unclosedTags)).toEqual({});
    const noRoot = `<xml>${'<'.repeat(2_000_000)}`;
    expect(() => readXmlFields(noRoot)).toThrow(BadPayloadError);
  });
});

import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { expect, it } from 'vitest';
import { posterHtml, posterSvg } from '../../src/report-page/poster';
import { renderPosterPng } from '../../src/report-page/poster-png';

const input = { groupName: '青山经济开发区企业服务群', deployment: '青山县营商环境共商共治', hotline: '12345 政务服务便民热线', url: 'https://gongzhi.example.gov.cn/r/park' };

it('draws an A4 poster whose QR code opens the group’s report page', async () => {
  const svg = await posterSvg(input);
  expect(svg).toContain('青山经济开发区企业服务群');
  expect(svg).toContain('也可拨打 12345 政务服务便民热线');
  const png = PNG.sync.read(Buffer.from(await renderPosterPng(svg)));
  expect([png.width, png.height]).toEqual([1240, 1754]);
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(code?.data).toBe(input.url);
});

it('escapes names and prints on one sheet', async () => {
  const svg = await posterSvg({ ...input, groupName: '<script>alert(1)</script>群', hotline: null });
  expect(svg).not.toContain('<script>');
  expect(svg).not.toContain('也可拨打');
  const html = posterHtml(svg, 'x');
  expect(html).toContain('@page{size:A4;margin:0}');
  expect(html).toContain('另存为 PDF');
});
